// `ecs-operator translate`, in-process: every example gives the objects the operator would create, exactly where
// it matters (names, labels, containers, volumes, probes, resources), and ECS JSON translates like manifests.
import { expect } from 'chai';
import { main } from '../../../operator/src/cli/translate.js';
import { find, fixture, run } from './helpers.js';

const kinds = (objects: any[]) => objects.map((o) => `${o.kind}/${o.metadata.name}`);

describe('ecs-operator translate', () => {
  describe('examples/web-service.yaml', () => {
    it('gives the ReplicaSet web-1 of the first deployment, 3 replicas of the nginx pod with the health check as probes, and a core Service for the load balancer', async () => {
      const result = await run(main, ['-f', 'examples/web-service.yaml']);
      expect(result.status).to.equal(0);
      expect(kinds(result.objects)).to.deep.equal(['ReplicaSet/web-1', 'Service/web']);
      const replicaSet = result.objects[0];
      const hash = replicaSet.spec.template.metadata.labels['ecs.operator.dev/template-hash'];
      const deployment = replicaSet.metadata.labels['ecs.operator.dev/deployment'];
      expect(hash).to.match(/^[0-9a-f]{10}$/);
      expect(replicaSet.metadata.annotations).to.deep.equal({
        'ecs.operator.dev/deployment-id': `ecs-svc/${deployment}`,
        'ecs.operator.dev/task-definition': 'web:1',
      });
      expect(replicaSet.spec.replicas).to.equal(3);
      expect(replicaSet.spec.selector).to.deep.equal({ matchLabels: { 'ecs.operator.dev/service': 'web', 'ecs.operator.dev/deployment': deployment } });
      expect(replicaSet.spec.template.metadata.labels).to.deep.equal({
        'app.kubernetes.io/managed-by': 'ecs-operator',
        'ecs.operator.dev/family': 'web',
        'ecs.operator.dev/revision': '1',
        'ecs.operator.dev/service': 'web',
        'ecs.operator.dev/deployment': deployment,
        'ecs.operator.dev/cluster': 'default',
        'ecs.operator.dev/group': 'service.web',
        'ecs.operator.dev/template-hash': hash,
      });
      expect(result.objects[1].spec).to.deep.equal({
        type: 'ClusterIP',
        selector: { 'ecs.operator.dev/service': 'web' },
        ports: [{ name: 'tcp-80', port: 80, targetPort: 'http', protocol: 'TCP', appProtocol: 'http' }],
      });
      const spec = replicaSet.spec.template.spec;
      expect(spec.restartPolicy).to.equal('Always');
      const probe = {
        exec: { command: ['/bin/sh', '-c', 'wget -q -O /dev/null http://localhost/ || exit 1'] },
        periodSeconds: 10,
        timeoutSeconds: 5,
        failureThreshold: 3,
      };
      expect(spec.containers).to.deep.equal([
        {
          name: 'nginx',
          image: 'public.ecr.aws/nginx/nginx:1.27-alpine',
          env: [{ name: 'NGINX_ENTRYPOINT_QUIET_LOGS', value: '1' }],
          ports: [{ name: 'http', containerPort: 80, protocol: 'TCP' }],
          resources: { limits: { memory: '512Mi' }, requests: { cpu: '250m', memory: '128Mi' } },
          readinessProbe: probe,
          livenessProbe: probe,
          startupProbe: { ...probe, failureThreshold: 4 },
        },
      ]);
      expect(spec.resources).to.deep.equal({ limits: { cpu: '250m', memory: '512Mi' }, requests: { cpu: '250m', memory: '512Mi' } });
      expect(spec.topologySpreadConstraints.map((c: any) => c.topologyKey)).to.deep.equal(['topology.kubernetes.io/zone', 'kubernetes.io/hostname']);
    });

    it("warns once, at the task definition's field, about what Kubernetes does differently", async () => {
      const result = await run(main, ['-f', 'examples/web-service.yaml']);
      expect(result.errors).to.deep.equal([
        'warning: examples/web-service.yaml: TaskDefinition web: spec.containerDefinitions[0].logConfiguration: logs go to the node (kubectl logs), not to awslogs; the configuration is kept in annotation ecs.operator.dev/log-configuration for a log agent',
      ]);
    });
  });

  it("examples/shared-volume-task.yaml: the Task's Pod runs `render` as an init container, then `web`, both on one emptyDir", async () => {
    const result = await run(main, ['-f', 'examples/shared-volume-task.yaml']);
    expect(result.status).to.equal(0);
    expect(result.stderr).to.equal('');
    expect(kinds(result.objects)).to.deep.equal(['Pod/static-site-preview']);
    const pod = result.objects[0];
    expect(pod.metadata.labels['ecs.operator.dev/task']).to.equal('static-site-preview');
    expect(pod.metadata.annotations['ecs.operator.dev/essential-containers']).to.equal('["web"]');
    expect(pod.spec.restartPolicy).to.equal('Never');
    expect(pod.spec.volumes).to.deep.equal([{ name: 'content', emptyDir: {} }]);
    expect(pod.spec.initContainers).to.deep.equal([
      {
        name: 'render',
        image: 'public.ecr.aws/docker/library/busybox:1.37',
        command: ['sh', '-c'],
        args: ['echo "<h1>Rendered by the render container</h1>" > /content/index.html'],
        resources: { limits: { memory: '64Mi' }, requests: { memory: '64Mi' } },
        volumeMounts: [{ name: 'content', mountPath: '/content' }],
      },
    ]);
    expect(pod.spec.containers).to.deep.equal([
      {
        name: 'web',
        image: 'public.ecr.aws/nginx/nginx:1.27-alpine',
        ports: [{ containerPort: 80, protocol: 'TCP' }],
        resources: { limits: { memory: '128Mi' }, requests: { memory: '128Mi' } },
        volumeMounts: [{ name: 'content', mountPath: '/usr/share/nginx/html', readOnly: true }],
      },
    ]);
  });

  it('examples/batch-task.yaml: the overrides replace command and memory and merge the environment by name', async () => {
    const result = await run(main, ['-f', 'examples/batch-task.yaml']);
    expect(result.status).to.equal(0);
    expect(kinds(result.objects)).to.deep.equal(['Pod/monthly-report-2024-11']);
    const pod = result.objects[0];
    expect(pod.metadata.labels['ecs.operator.dev/group']).to.equal('family.monthly-report');
    expect(pod.metadata.annotations['ecs.operator.dev/group']).to.equal('family:monthly-report');
    expect(pod.spec.containers).to.deep.equal([
      {
        name: 'report',
        image: 'public.ecr.aws/docker/library/python:3.12-slim',
        command: ['python', '-c'],
        args: ["import os; print('report for', os.environ['REPORT_MONTH'], 'as', os.environ['OUTPUT_FORMAT'], '(rerun)')"],
        env: [
          { name: 'REPORT_MONTH', value: '2024-11' },
          { name: 'OUTPUT_FORMAT', value: 'csv' },
        ],
        resources: { limits: { memory: '2Gi' }, requests: { cpu: '500m', memory: '2Gi' } },
      },
    ]);
  });

  it('examples/secrets-environment.yaml: secrets as Secret key references, the task role as a ServiceAccount; the Secrets themselves pass by', async () => {
    const result = await run(main, ['-f', 'examples/secrets-environment.yaml']);
    expect(result.status).to.equal(0);
    expect(kinds(result.objects)).to.deep.equal(['ServiceAccount/orders-api-task', 'PodTemplate/orders-api-1']);
    expect(result.objects[0]).to.deep.equal({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: {
        name: 'orders-api-task',
        labels: { 'app.kubernetes.io/managed-by': 'ecs-operator' },
        annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/orders-api-task' },
      },
    });
    const { spec } = result.objects[1].template;
    expect(spec.serviceAccountName).to.equal('orders-api-task');
    expect(spec.containers[0].env).to.deep.equal([
      { name: 'APP_ENV', value: 'production' },
      { name: 'LOG_LEVEL', value: 'info' },
      { name: 'DATABASE_HOST', value: 'orders-db.internal.example.com' },
      { name: 'DATABASE_PASSWORD', valueFrom: { secretKeyRef: { name: 'orders-prod-db', key: 'password' } } },
      { name: 'PAYMENT_API_KEY', valueFrom: { secretKeyRef: { name: 'orders-prod-payment-api-key', key: 'value' } } },
    ]);
    expect(result.objects[1].template.metadata.annotations['ecs.operator.dev/execution-role-arn']).to.equal(
      'arn:aws:iam::123456789012:role/ecsTaskExecutionRole',
    );
  });

  it('examples/daemon-service.yaml needs the host: refused, naming the field and the flag, unless the policy allows it', async () => {
    const refused = await run(main, ['-f', 'examples/daemon-service.yaml', '-n', 'monitoring', '--allow-host-access-namespaces', 'other']);
    expect(refused.status).to.equal(1);
    expect(refused.stderr).to.contain(
      "spec.networkMode: host networking is not allowed in namespace monitoring by the operator's policy (--allow-host-access-namespaces)",
    );
    const allowed = await run(main, ['-f', 'examples/daemon-service.yaml', '-n', 'monitoring', '--allow-host-access-namespaces', 'other, monitoring']);
    expect(allowed.status).to.equal(0);
  });

  it('examples/daemon-service.yaml: a DaemonSet on the host network and PID namespace with the host paths, spread by nothing', async () => {
    const result = await run(main, ['-f', 'examples/daemon-service.yaml', '--allow-host-access-namespaces', '*']);
    expect(result.status).to.equal(0);
    expect(result.stderr).to.equal('');
    expect(kinds(result.objects)).to.deep.equal(['DaemonSet/node-exporter']);
    expect(result.objects[0].spec.updateStrategy).to.deep.equal({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '100%', maxSurge: '0%' } });
    const { spec } = result.objects[0].spec.template;
    expect(spec).to.deep.include({ hostNetwork: true, hostPID: true, restartPolicy: 'Always' });
    expect(spec).not.to.have.property('topologySpreadConstraints');
    expect(spec.volumes).to.deep.equal([
      { name: 'proc', hostPath: { path: '/proc' } },
      { name: 'sys', hostPath: { path: '/sys' } },
      { name: 'root', hostPath: { path: '/' } },
    ]);
    expect(spec.containers[0].ports).to.deep.equal([{ name: 'metrics', containerPort: 9100, hostPort: 9100, protocol: 'TCP' }]);
    expect(spec.containers[0].args).to.deep.equal(['--path.procfs=/host/proc', '--path.sysfs=/host/sys', '--path.rootfs=/host/root']);
  });

  it('translates every example in one run, each object once, from the files or from the directory as kubectl apply -f reads it', async () => {
    const files = ['web-service', 'shared-volume-task', 'batch-task', 'secrets-environment', 'daemon-service', 'nightly-report'].flatMap((name) => [
      '-f',
      `examples/${name}.yaml`,
    ]);
    const result = await run(main, [...files, '--allow-host-access-namespaces', '*']);
    expect(result.status).to.equal(0);
    // translate checks a ScheduledTask against its CRD but prints nothing for it: its Tasks depend on the time.
    expect(kinds(result.objects)).to.deep.equal([
      'ReplicaSet/web-1',
      'Service/web',
      'Pod/static-site-preview',
      'Pod/monthly-report-2024-11',
      'DaemonSet/node-exporter',
      'ServiceAccount/orders-api-task',
      'PodTemplate/orders-api-1',
      'PodTemplate/nightly-report-1',
    ]);
    const directory = await run(main, ['-f', 'examples/', '--allow-host-access-namespaces', '*']);
    expect(directory.status).to.equal(0);
    expect(kinds(directory.objects).sort()).to.deep.equal(kinds(result.objects).sort());
    expect(directory.errors).to.deep.equal(result.errors);
  });

  it("finds a Task's TaskDefinition in another file, and places both in the namespace given with -n", async () => {
    const files = {
      'td.yaml':
        'apiVersion: ecs.operator.dev/v1alpha1\nkind: TaskDefinition\nmetadata: {name: hello}\nspec:\n  containerDefinitions: [{name: hello, image: busybox, memory: 32, command: [echo, hi]}]\n',
      'task.yaml': 'apiVersion: ecs.operator.dev/v1alpha1\nkind: Task\nmetadata: {name: hello-once}\nspec: {taskDefinition: "hello:4"}\n',
    };
    const result = await run(main, ['-f', 'task.yaml', '-f', 'td.yaml', '-n', 'team-a'], files);
    expect(result.status).to.equal(0);
    const pod = find(result.objects, 'Pod', 'hello-once');
    expect(pod.metadata.namespace).to.equal('team-a');
    expect(pod.metadata.annotations['ecs.operator.dev/task-definition']).to.equal('hello:4');
    expect(pod.spec.containers[0].args).to.deep.equal(['echo', 'hi']);
  });

  describe('ECS JSON', () => {
    it('describe-task-definition output: the pod template of that revision', async () => {
      const result = await run(main, ['-f', fixture('storefront-web.describe-task-definition.json')]);
      expect(result.status).to.equal(0);
      expect(kinds(result.objects)).to.deep.equal(['ServiceAccount/storefront-web-task', 'PodTemplate/storefront-web-14']);
      const { template } = result.objects[1];
      expect(template.metadata.annotations['ecs.operator.dev/task-definition']).to.equal('storefront-web:14');
      expect(template.spec.initContainers.map((c: any) => c.name)).to.deep.equal(['migrate', 'app']);
      expect(template.spec.containers.map((c: any) => c.name)).to.deep.equal(['nginx']);
      expect(result.errors[0]).to.equal(
        'warning: test/fixtures/ecs/storefront-web.describe-task-definition.json: taskDefinition.volumes[1].efsVolumeConfiguration: mounts PersistentVolumeClaim "efs-fs-0a1b2c3d4e5f67890", which must exist, bound to EFS fs-0a1b2c3d4e5f67890 (for example through the EFS CSI driver); transit encryption and IAM authorization are settings of that volume',
      );
    });

    it('describe-services beside describe-task-definition: the ReplicaSet of the revision the service runs', async () => {
      const services = JSON.stringify({
        services: [JSON.parse(await (await import('node:fs/promises')).readFile(fixture('web.describe-services.json'), 'utf8')).services[0]],
      });
      const result = await run(main, ['-f', 'web-service.json', '-f', 'examples/import/web.describe-task-definition.json'], { 'web-service.json': services });
      expect(result.status).to.equal(0);
      const replicaSet = find(result.objects, 'ReplicaSet', 'web-3');
      expect(replicaSet.spec.replicas).to.equal(3);
      expect(replicaSet.spec.template.metadata.labels['ecs.operator.dev/cluster']).to.equal('production');
      expect(result.errors).to.include(
        "warning: web-service.json: services[0].cluster: Cluster 'production' is not in the input; translated with a Cluster's default settings",
      );
    });

    it('manifests and ECS JSON mix: import output translates as its source does', async () => {
      const fromJson = await run(main, ['-f', 'examples/import/web.describe-task-definition.json']);
      const fromYaml = await run(main, ['-f', 'examples/import/web.taskdefinition.yaml']);
      const strip = (o: any) => ({ ...o, metadata: { ...o.metadata, name: undefined }, template: { ...o.template, metadata: undefined } });
      expect(strip(fromYaml.objects[0])).to.deep.equal(strip(fromJson.objects[0]));
    });
  });

  it('uses a Cluster given beside a Task: its node selector confines the pod, and allowPrivileged permits privileged containers', async () => {
    const files = {
      'all.yaml': [
        'apiVersion: ecs.operator.dev/v1alpha1\nkind: Cluster\nmetadata: {name: gpu}\nspec: {allowPrivileged: true, nodeSelector: {matchLabels: {pool: gpu}}}',
        'apiVersion: ecs.operator.dev/v1alpha1\nkind: TaskDefinition\nmetadata: {name: probe}\nspec:\n  containerDefinitions: [{name: probe, image: busybox, memory: 32, privileged: true}]',
        'apiVersion: ecs.operator.dev/v1alpha1\nkind: Task\nmetadata: {name: probe-1}\nspec: {taskDefinition: probe, cluster: gpu}',
      ].join('\n---\n'),
    };
    const result = await run(main, ['-f', 'all.yaml', '--allow-host-access-namespaces', '*'], files);
    expect(result.status).to.equal(0);
    const pod = find(result.objects, 'Pod', 'probe-1');
    expect(pod.spec.containers[0].securityContext).to.deep.equal({ privileged: true });
    expect(pod.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms).to.deep.equal([
      { matchExpressions: [{ key: 'pool', operator: 'In', values: ['gpu'] }] },
    ]);
  });
});
