// A TaskDefinition that nothing in the input runs is printed as the PodTemplate of a task of the default
// Cluster. It is translated under that Cluster's settings and says what they change, exactly as a Task that runs
// it in that Cluster would: a sysctl the Cluster does not allow is missing from both, with the same warning.
import { expect } from 'chai';
import { main } from '../../../operator/src/cli/translate.js';
import { find, run } from './helpers.js';

const definition = [
  'apiVersion: ecs.operator.dev/v1alpha1',
  'kind: TaskDefinition',
  'metadata: {name: web}',
  'spec:',
  '  family: web',
  '  containerDefinitions:',
  '    - name: app',
  '      image: nginx:1.27',
  '      memory: 256',
  '      privileged: true',
  '      systemControls: [{namespace: net.core.somaxconn, value: "4096"}, {namespace: net.ipv4.tcp_keepalive_time, value: "60"}]',
  '',
].join('\n');
const task = 'apiVersion: ecs.operator.dev/v1alpha1\nkind: Task\nmetadata: {name: once}\nspec: {taskDefinition: web}\n';
const cluster = 'apiVersion: ecs.operator.dev/v1alpha1\nkind: Cluster\nmetadata: {name: default}\nspec: {allowPrivileged: true}\n';

const SYSCTL_WARNING =
  'warning: td.yaml: TaskDefinition web: spec.containerDefinitions[0].systemControls[0]: net.core.somaxconn not set: it is outside the Kubernetes safe set and the Cluster does not list it as allowed by the kubelets';

describe('a TaskDefinition alone and a Task that runs it', () => {
  it('give the same sysctls and the same warning about the one the Cluster does not allow', async () => {
    const alone = await run(main, ['-f', 'td.yaml', '-f', 'cluster.yaml', '--allow-host-access-namespaces', '*'], {
      'td.yaml': definition,
      'cluster.yaml': cluster,
    });
    const withTask = await run(main, ['-f', 'td.yaml', '-f', 'task.yaml', '-f', 'cluster.yaml', '--allow-host-access-namespaces', '*'], {
      'td.yaml': definition,
      'task.yaml': task,
      'cluster.yaml': cluster,
    });
    expect(alone.status).to.equal(0);
    expect(withTask.status).to.equal(0);
    const templateSysctls = find(alone.objects, 'PodTemplate', 'web-1').template.spec.securityContext.sysctls;
    const podSysctls = find(withTask.objects, 'Pod', 'once').spec.securityContext.sysctls;
    expect(templateSysctls).to.deep.equal([{ name: 'net.ipv4.tcp_keepalive_time', value: '60' }]);
    expect(podSysctls).to.deep.equal(templateSysctls);
    expect(alone.errors).to.include(SYSCTL_WARNING);
    expect(withTask.errors).to.include(SYSCTL_WARNING);
  });

  it('the default Cluster given beside the TaskDefinition decides for its PodTemplate as for a Task: without allowPrivileged, privileged is an error', async () => {
    const alone = await run(main, ['-f', 'td.yaml', '--allow-host-access-namespaces', '*'], { 'td.yaml': definition });
    expect(alone.status).to.equal(1);
    expect(alone.errors.filter((line) => line.startsWith('error:'))).to.deep.equal([
      'error: td.yaml: TaskDefinition web: spec.containerDefinitions[0].privileged: privileged containers are not allowed in this cluster (the Cluster does not allow them) (as a task of the default Cluster)',
    ]);
  });
});
