// The operator's host-access policy: what reaches into the node is refused, at its field and naming the flag,
// unless the policy allows the namespace; a Cluster's allowPrivileged can narrow that, never widen it.
import { expect } from 'chai';
import type { Cluster } from '../../../operator/src/api/cluster.js';
import type { TaskDefinitionSpec } from '../../../operator/src/api/taskdefinition.js';
import { taskDefinitionToPodTemplate } from '../../../operator/src/translate/index.js';
import { hostAccessAllowed } from '../../../operator/src/translate/host-access.js';
import { clusterSettings } from '../../../operator/src/translate/workload.js';
import { containerDefinition, taskSpec } from './helpers.js';

const FLAG = "by the operator's policy (--allow-host-access-namespaces)";

function cluster(namespace: string, spec: Cluster['spec'] = {}): Cluster {
  return { apiVersion: 'ecs.operator.dev/v1alpha1', kind: 'Cluster', metadata: { name: 'default', namespace }, spec };
}

function errorsIn(namespace: string, spec: TaskDefinitionSpec, allowed: readonly string[] = [], clusterSpec: Cluster['spec'] = {}) {
  return taskDefinitionToPodTemplate({ spec, family: 'web', revision: 1, cluster: clusterSettings(cluster(namespace, clusterSpec), { namespaces: allowed }) })
    .errors;
}

const HOST_USES: Array<[string, TaskDefinitionSpec, string]> = [
  ['host networking', taskSpec({ networkMode: 'host' }), 'spec.networkMode'],
  ["the host's PID namespace", taskSpec({ pidMode: 'host' }), 'spec.pidMode'],
  ["the host's IPC namespace", taskSpec({ ipcMode: 'host' }), 'spec.ipcMode'],
  ['a hostPath volume', taskSpec({ volumes: [{ name: 'data', host: { sourcePath: '/var/lib' } }] }), 'spec.volumes[0].host.sourcePath'],
  ['a privileged container', taskSpec({ containerDefinitions: [containerDefinition({ privileged: true })] }), 'spec.containerDefinitions[0].privileged'],
  [
    'capabilities beyond the baseline set (NET_ADMIN)',
    taskSpec({ containerDefinitions: [containerDefinition({ linuxParameters: { capabilities: { add: ['CAP_NET_ADMIN', 'chown'] } } })] }),
    'spec.containerDefinitions[0].linuxParameters.capabilities.add',
  ],
  [
    'an unconfined AppArmor profile',
    taskSpec({ containerDefinitions: [containerDefinition({ dockerSecurityOptions: ['no-new-privileges', 'apparmor:unconfined'] })] }),
    'spec.containerDefinitions[0].dockerSecurityOptions[1]',
  ],
  [
    'an SELinux user',
    taskSpec({ containerDefinitions: [containerDefinition({ dockerSecurityOptions: ['label:user:system_u'] })] }),
    'spec.containerDefinitions[0].dockerSecurityOptions[0]',
  ],
  [
    'the SELinux type spc_t',
    taskSpec({ containerDefinitions: [containerDefinition({ dockerSecurityOptions: ['label:type:spc_t'] })] }),
    'spec.containerDefinitions[0].dockerSecurityOptions[0]',
  ],
  [
    'a port of the node',
    taskSpec({ containerDefinitions: [containerDefinition({ portMappings: [{ containerPort: 80, hostPort: 8080 }] })] }),
    'spec.containerDefinitions[0].portMappings[0].hostPort',
  ],
];

describe('translate/host-access: the operator-level host-access policy', () => {
  for (const [use, spec, path] of HOST_USES) {
    it(`${use}: refused at ${path} unless the policy lists the namespace`, () => {
      // The first error, the one a Valid condition states (a privileged container is also the Cluster's to refuse).
      expect(errorsIn('team-a', spec)[0]).to.deep.equal({ path, message: `${use} is not allowed in namespace team-a ${FLAG}` });
      expect(errorsIn('team-a', spec, ['team-b'])[0]?.path).to.equal(path);
      const allowed = errorsIn('team-a', spec, ['team-b', 'team-a'], { allowPrivileged: true });
      expect(allowed).to.deep.equal([]);
    });
  }

  it('a Cluster that allows privileged grants nothing by itself; with the policy, it still narrows privileged', () => {
    const privileged = taskSpec({ containerDefinitions: [containerDefinition({ privileged: true })] });
    expect(errorsIn('team-a', privileged, [], { allowPrivileged: true })[0]?.path).to.equal('spec.containerDefinitions[0].privileged');
    expect(errorsIn('team-a', privileged, ['team-a'], { allowPrivileged: false })[0]?.message).to.contain('the Cluster does not allow them');
  });

  it('what needs no host passes: baseline capabilities, dynamic and awsvpc ports, ordinary volumes, confining security options', () => {
    const spec = taskSpec({
      networkMode: 'awsvpc',
      volumes: [{ name: 'scratch' }],
      containerDefinitions: [
        containerDefinition({
          portMappings: [{ containerPort: 80, hostPort: 80 }],
          linuxParameters: { capabilities: { add: ['NET_BIND_SERVICE'] } },
          dockerSecurityOptions: ['apparmor:docker-default', 'label:type:container_t', 'label:level:s0:c1,c2'],
        }),
      ],
    });
    expect(errorsIn('team-a', spec)).to.deep.equal([]);
    expect(errorsIn('team-a', taskSpec({ containerDefinitions: [containerDefinition({ portMappings: [{ containerPort: 80, hostPort: 0 }] })] }))).to.deep.equal(
      [],
    );
  });

  it('* allows every namespace; nothing is allowed by default', () => {
    expect(hostAccessAllowed({ namespaces: ['*'] }, 'anything')).to.equal(true);
    expect(hostAccessAllowed({ namespaces: [] }, 'team-a')).to.equal(false);
    expect(clusterSettings(cluster('team-a', { allowPrivileged: true })).allowHostAccess).to.equal(false);
  });
});
