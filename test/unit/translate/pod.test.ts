import { expect } from 'chai';
import { ANNOTATIONS, LABELS } from '../../../operator/src/translate/index.js';
import { containerDefinition, containerOf, paths, podSpecOf, taskSpec, translate } from './helpers.js';

describe('translate/pod: task-level fields', () => {
  describe('networking', () => {
    it('hostname → pod hostname; differing hostnames warn, the first wins', () => {
      const translation = translate(
        taskSpec({ containerDefinitions: [containerDefinition({ hostname: 'web' }), containerDefinition({ name: 'b', hostname: 'other' })] }),
      );
      expect(podSpecOf(translation).hostname).to.equal('web');
      expect(paths(translation.warnings)).to.deep.equal(['spec.containerDefinitions[1].hostname']);
    });

    it('hostname is an error under awsvpc and a warning under host networking', () => {
      expect(paths(translate(taskSpec({ networkMode: 'awsvpc', containerDefinitions: [containerDefinition({ hostname: 'web' })] })).errors)).to.deep.equal([
        'spec.containerDefinitions[0].hostname',
      ]);
      const host = translate(taskSpec({ networkMode: 'host', containerDefinitions: [containerDefinition({ hostname: 'web' })] }));
      expect(podSpecOf(host).hostname).to.equal(undefined);
      expect(paths(host.warnings)).to.deep.equal(['spec.containerDefinitions[0].hostname']);
    });

    it('extraHosts → hostAliases grouped by IP; links → 127.0.0.1 aliases', () => {
      const translation = translate(
        taskSpec({
          containerDefinitions: [
            containerDefinition({
              extraHosts: [
                { hostname: 'db', ipAddress: '10.0.0.5' },
                { hostname: 'cache', ipAddress: '10.0.0.6' },
              ],
              links: ['redis:cache-local'],
            }),
            containerDefinition({ name: 'redis', extraHosts: [{ hostname: 'db.internal', ipAddress: '10.0.0.5' }] }),
          ],
        }),
      );
      expect(podSpecOf(translation).hostAliases).to.deep.equal([
        { ip: '10.0.0.5', hostnames: ['db', 'db.internal'] },
        { ip: '10.0.0.6', hostnames: ['cache'] },
        { ip: '127.0.0.1', hostnames: ['redis', 'cache-local'] },
      ]);
    });

    it('links are errors outside bridge mode or to unknown containers', () => {
      expect(paths(translate(taskSpec({ networkMode: 'awsvpc', containerDefinitions: [containerDefinition({ links: ['x'] })] })).errors)).to.deep.equal([
        'spec.containerDefinitions[0].links[0]',
      ]);
      expect(paths(translate(taskSpec({ containerDefinitions: [containerDefinition({ links: ['ghost:g'] })] })).errors)).to.deep.equal([
        'spec.containerDefinitions[0].links[0]',
      ]);
    });

    it("dnsServers → dnsPolicy None with the servers of all containers; dnsSearchDomains alone → searches merged with the cluster's", () => {
      const servers = translate(
        taskSpec({
          containerDefinitions: [
            containerDefinition({ dnsServers: ['10.0.0.2'], dnsSearchDomains: ['corp.example'] }),
            containerDefinition({ name: 'b', dnsServers: ['10.0.0.2', '8.8.8.8'] }),
          ],
        }),
      );
      expect(podSpecOf(servers).dnsPolicy).to.equal('None');
      expect(podSpecOf(servers).dnsConfig).to.deep.equal({ nameservers: ['10.0.0.2', '8.8.8.8'], searches: ['corp.example'] });
      expect(paths(servers.warnings)).to.deep.equal(['spec.containerDefinitions[1].dnsServers']);
      const searches = podSpecOf(translate(taskSpec({ containerDefinitions: [containerDefinition({ dnsSearchDomains: ['a.example', 'b.example'] })] })));
      expect(searches.dnsPolicy).to.equal(undefined);
      expect(searches.dnsConfig).to.deep.equal({ searches: ['a.example', 'b.example'] });
    });

    it('more than three nameservers is an error', () => {
      const translation = translate(taskSpec({ containerDefinitions: [containerDefinition({ dnsServers: ['1.1.1.1', '2.2.2.2', '3.3.3.3', '4.4.4.4'] })] }));
      expect(paths(translation.errors)).to.deep.equal(['spec.containerDefinitions[0].dnsServers']);
    });

    it('networkMode none is a warning (a pod always has a network) and allows no ports', () => {
      expect(paths(translate(taskSpec({ networkMode: 'none' })).warnings)).to.deep.equal(['spec.networkMode']);
      expect(
        paths(translate(taskSpec({ networkMode: 'none', containerDefinitions: [containerDefinition({ portMappings: [{ containerPort: 80 }] })] })).errors),
      ).to.deep.equal(['spec.containerDefinitions[0].portMappings[0]']);
    });
  });

  describe('process and kernel namespaces', () => {
    it('pidMode host → hostPID, task → shareProcessNamespace; ipcMode host → hostIPC', () => {
      expect(podSpecOf(translate(taskSpec({ pidMode: 'host', ipcMode: 'host' })))).to.deep.include({ hostPID: true, hostIPC: true });
      const task = podSpecOf(translate(taskSpec({ pidMode: 'task', ipcMode: 'task' })));
      expect(task.shareProcessNamespace).to.equal(true);
      expect(task.hostIPC).to.equal(undefined);
      expect(paths(translate(taskSpec({ ipcMode: 'none' })).warnings)).to.deep.equal(['spec.ipcMode']);
    });

    it('initProcessEnabled → shareProcessNamespace (the pause process reaps zombies), except with the host PID namespace', () => {
      expect(
        podSpecOf(translate(taskSpec({ containerDefinitions: [containerDefinition({ linuxParameters: { initProcessEnabled: true } })] })))
          .shareProcessNamespace,
      ).to.equal(true);
      const host = translate(taskSpec({ pidMode: 'host', containerDefinitions: [containerDefinition({ linuxParameters: { initProcessEnabled: true } })] }));
      expect(podSpecOf(host).shareProcessNamespace).to.equal(undefined);
      expect(paths(host.warnings)).to.deep.equal(['spec.containerDefinitions[0].linuxParameters.initProcessEnabled']);
    });

    it('systemControls → pod sysctls: the safe set, and others the cluster allows; the rest warn', () => {
      const spec = taskSpec({
        containerDefinitions: [
          containerDefinition({
            systemControls: [
              { namespace: 'net.ipv4.tcp_keepalive_time', value: '500' },
              { namespace: 'net.core.somaxconn', value: '1024' },
              { namespace: 'kernel.msgmax', value: '65536' },
            ],
          }),
        ],
      });
      const strict = translate(spec);
      expect(podSpecOf(strict).securityContext).to.deep.equal({ sysctls: [{ name: 'net.ipv4.tcp_keepalive_time', value: '500' }] });
      expect(paths(strict.warnings)).to.deep.equal(['spec.containerDefinitions[0].systemControls[1]', 'spec.containerDefinitions[0].systemControls[2]']);
      const allowed = translate(spec, { cluster: { allowedUnsafeSysctls: ['net.core.*', 'kernel.msgmax'] } });
      expect(podSpecOf(allowed).securityContext?.sysctls).to.deep.equal([
        { name: 'net.ipv4.tcp_keepalive_time', value: '500' },
        { name: 'net.core.somaxconn', value: '1024' },
        { name: 'kernel.msgmax', value: '65536' },
      ]);
      const host = translate({ ...spec, networkMode: 'host' });
      expect(podSpecOf(host).securityContext).to.equal(undefined);
    });

    it('a sysctl two containers set differently keeps the first value, with a warning', () => {
      const translation = translate(
        taskSpec({
          containerDefinitions: [
            containerDefinition({ systemControls: [{ namespace: 'net.ipv4.tcp_syncookies', value: '1' }] }),
            containerDefinition({
              name: 'b',
              systemControls: [
                { namespace: 'net.ipv4.tcp_fin_timeout', value: '30' },
                { namespace: 'net.ipv4.tcp_syncookies', value: '0' },
              ],
            }),
          ],
        }),
      );
      expect(podSpecOf(translation).securityContext?.sysctls).to.deep.equal([
        { name: 'net.ipv4.tcp_syncookies', value: '1' },
        { name: 'net.ipv4.tcp_fin_timeout', value: '30' },
      ]);
      expect(paths(translation.warnings)).to.deep.equal(['spec.containerDefinitions[1].systemControls[1]']);
    });
  });

  describe('resources and storage', () => {
    it('task cpu and memory → pod-level requests and limits', () => {
      expect(podSpecOf(translate(taskSpec({ cpu: '0.25 vCPU', memory: '0.5GB' }))).resources).to.deep.equal({
        requests: { cpu: '250m', memory: '512Mi' },
        limits: { cpu: '250m', memory: '512Mi' },
      });
      expect(podSpecOf(translate(taskSpec({ cpu: '100' }))).resources).to.deep.equal({ requests: { cpu: '98m' }, limits: { cpu: '98m' } });
    });

    it("errors when the containers exceed the task: cpu sum, memory reservations, one container's memory", () => {
      const translation = translate(
        taskSpec({
          cpu: '512',
          memory: '1024',
          containerDefinitions: [
            containerDefinition({ name: 'a', cpu: 300, memory: 1100, memoryReservation: 600 }),
            containerDefinition({ name: 'b', cpu: 300, memoryReservation: 500, memory: undefined }),
          ],
        }),
      );
      expect(translation.errors).to.deep.equal([
        { path: 'spec.cpu', message: "the containers' cpu adds up to 600 units, more than the task's 512" },
        { path: 'spec.memory', message: "the containers reserve 1100 MiB in all, more than the task's 1024" },
        { path: 'spec.containerDefinitions[0].memory', message: "1100 MiB is more than the task's 1024" },
      ]);
    });

    it('ephemeralStorage → ephemeral-storage split over the long-running containers', () => {
      const translation = translate(
        taskSpec({
          ephemeralStorage: { sizeInGiB: 21 },
          containerDefinitions: [
            containerDefinition({ name: 'a', dependsOn: [{ containerName: 'job', condition: 'SUCCESS' }] }),
            containerDefinition({ name: 'b' }),
            containerDefinition({ name: 'c' }),
            containerDefinition({ name: 'job', essential: false }),
          ],
        }),
      );
      const shares = ['a', 'b', 'c', 'job'].map((name) => containerOf(translation, name).resources?.limits?.['ephemeral-storage']);
      expect(shares).to.deep.equal(['7Gi', '7Gi', '7Gi', undefined]);
      expect(containerOf(translation, 'a').resources?.requests?.['ephemeral-storage']).to.equal('7Gi');
    });
  });

  it('stopTimeout → terminationGracePeriodSeconds, the longest over containers (ECS default 30)', () => {
    expect(podSpecOf(translate(taskSpec())).terminationGracePeriodSeconds).to.equal(30);
    expect(
      podSpecOf(translate(taskSpec({ containerDefinitions: [containerDefinition({ stopTimeout: 10 }), containerDefinition({ name: 'b', stopTimeout: 90 })] })))
        .terminationGracePeriodSeconds,
    ).to.equal(90);
    expect(
      podSpecOf(translate(taskSpec({ containerDefinitions: [containerDefinition({ stopTimeout: 10 }), containerDefinition({ name: 'b' })] })))
        .terminationGracePeriodSeconds,
    ).to.equal(30);
  });

  it('repositoryCredentials → imagePullSecrets by the secret rule, once each', () => {
    const credentialsParameter = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:registry/dockerhub-AbCdEf';
    const spec = podSpecOf(
      translate(
        taskSpec({
          containerDefinitions: [
            containerDefinition({ repositoryCredentials: { credentialsParameter } }),
            containerDefinition({ name: 'b', repositoryCredentials: { credentialsParameter } }),
          ],
        }),
      ),
    );
    expect(spec.imagePullSecrets).to.deep.equal([{ name: 'registry-dockerhub' }]);
  });

  it('runtimePlatform → nodeSelector and pod os', () => {
    expect(podSpecOf(translate(taskSpec({ runtimePlatform: { cpuArchitecture: 'ARM64', operatingSystemFamily: 'LINUX' } })))).to.deep.include({
      nodeSelector: { 'kubernetes.io/arch': 'arm64', 'kubernetes.io/os': 'linux' },
      os: { name: 'linux' },
    });
    expect(
      podSpecOf(translate(taskSpec({ runtimePlatform: { cpuArchitecture: 'X86_64', operatingSystemFamily: 'WINDOWS_SERVER_2022_CORE' } }))),
    ).to.deep.include({
      nodeSelector: { 'kubernetes.io/arch': 'amd64', 'kubernetes.io/os': 'windows', 'node.kubernetes.io/windows-build': '10.0.20348' },
      os: { name: 'windows' },
    });
  });

  it('a task definition without runtimePlatform that mounts Windows paths (a named pipe, a drive) runs on Windows nodes; Linux stays as it was', () => {
    const pipe = taskSpec({ volumes: [{ name: 'docker-pipe', host: { sourcePath: '\\\\.\\pipe\\docker_engine' } }] });
    expect(podSpecOf(translate(pipe))).to.deep.include({ nodeSelector: { 'kubernetes.io/os': 'windows' }, os: { name: 'windows' } });
    const drive = taskSpec({
      containerDefinitions: [containerDefinition({ mountPoints: [{ sourceVolume: 'data', containerPath: 'C:\\data' }] })],
      volumes: [{ name: 'data' }],
    });
    expect(podSpecOf(translate(drive))).to.deep.include({ nodeSelector: { 'kubernetes.io/os': 'windows' }, os: { name: 'windows' } });
    const linux = podSpecOf(translate(taskSpec({ volumes: [{ name: 'data', host: { sourcePath: '/var/data' } }] })));
    expect(linux).not.to.have.any.keys('nodeSelector', 'os');
    const declared = taskSpec({ runtimePlatform: { operatingSystemFamily: 'LINUX' }, volumes: [{ name: 'p', host: { sourcePath: '\\\\.\\pipe\\x' } }] });
    expect(podSpecOf(translate(declared))).to.deep.include({ nodeSelector: { 'kubernetes.io/os': 'linux' }, os: { name: 'linux' } });
  });

  it('taskRoleArn → serviceAccountName and a ServiceAccount with the EKS role annotation; executionRoleArn → annotation', () => {
    const taskRoleArn = 'arn:aws:iam::123456789012:role/service-role/Orders_TaskRole';
    const translation = translate(taskSpec({ taskRoleArn, executionRoleArn: 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole' }));
    expect(podSpecOf(translation).serviceAccountName).to.equal('orders-taskrole');
    expect(translation.extraObjects).to.deep.equal([
      {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: 'orders-taskrole', labels: { [LABELS.managedBy]: 'ecs-operator' }, annotations: { 'eks.amazonaws.com/role-arn': taskRoleArn } },
      },
    ]);
    expect(translation.template?.metadata?.annotations?.[ANNOTATIONS.executionRoleArn]).to.equal('arn:aws:iam::123456789012:role/ecsTaskExecutionRole');
    expect(paths(translate(taskSpec({ taskRoleArn: 'arn:aws:s3:::my-bucket' })).errors)).to.deep.equal(['spec.taskRoleArn']);
    expect(paths(translate(taskSpec({ taskRoleArn: 'my role' })).errors)).to.deep.equal(['spec.taskRoleArn']);
  });

  it('a role name without ARN, as ECS takes it: the ServiceAccount of that name, without the EKS annotation, which needs the account', () => {
    const translation = translate(taskSpec({ taskRoleArn: 'Orders_TaskRole', executionRoleArn: 'ecsTaskExecutionRole' }));
    expect(translation.errors).to.deep.equal([]);
    expect(podSpecOf(translation).serviceAccountName).to.equal('orders-taskrole');
    expect(translation.extraObjects).to.deep.equal([
      {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: 'orders-taskrole', labels: { [LABELS.managedBy]: 'ecs-operator' } },
      },
    ]);
    expect(translation.warnings).to.deep.equal([
      {
        path: 'spec.taskRoleArn',
        message:
          '"Orders_TaskRole" is a role name, which ECS completes with the task\'s account; without the account the ServiceAccount gets no eks.amazonaws.com/role-arn annotation (give the full ARN, arn:aws:iam::ACCOUNT:role/Orders_TaskRole, for IAM roles for service accounts)',
      },
    ]);
    expect(translation.template?.metadata?.annotations?.[ANNOTATIONS.executionRoleArn]).to.equal('ecsTaskExecutionRole');
  });

  it('warns on task fields Kubernetes has no place for', () => {
    const translation = translate(
      taskSpec({
        proxyConfiguration: { type: 'APPMESH', containerName: 'app' },
        inferenceAccelerators: [{ deviceName: 'd', deviceType: 'eia2.medium' }],
        enableFaultInjection: true,
      }),
    );
    expect(paths(translation.warnings)).to.deep.equal(['spec.proxyConfiguration', 'spec.inferenceAccelerators', 'spec.enableFaultInjection']);
  });
});

describe('translate/metadata: labels and annotations', () => {
  it("labels family, revision, managed-by, the controller's labels and the hash; annotates the reference", () => {
    const translation = translate(taskSpec({ family: 'web' }), { revision: 7, labels: { [LABELS.task]: 'web-abc' } });
    const labels = translation.template?.metadata?.labels ?? {};
    expect(labels).to.deep.equal({
      [LABELS.managedBy]: 'ecs-operator',
      [LABELS.family]: 'web',
      [LABELS.revision]: '7',
      [LABELS.task]: 'web-abc',
      [LABELS.templateHash]: labels[LABELS.templateHash],
    });
    expect(translation.template?.metadata?.annotations).to.deep.equal({ [ANNOTATIONS.taskDefinition]: 'web:7', [ANNOTATIONS.essentialContainers]: '["app"]' });
  });

  it('dockerLabels → labels where valid, annotations where only the key is, else one JSON annotation with a warning', () => {
    const translation = translate(
      taskSpec({
        containerDefinitions: [
          containerDefinition({ dockerLabels: { 'com.example.team': 'payments', description: 'Orders API, v2', 'bad key': 'x', [LABELS.family]: 'spoof' } }),
          containerDefinition({ name: 'b', dockerLabels: { 'com.example.team': 'other' } }),
        ],
      }),
    );
    const metadata = translation.template?.metadata;
    expect(metadata?.labels?.['com.example.team']).to.equal('payments');
    expect(metadata?.labels?.[LABELS.family]).to.equal('web');
    expect(metadata?.annotations?.description).to.equal('Orders API, v2');
    expect(JSON.parse(metadata?.annotations?.[ANNOTATIONS.dockerLabels] ?? '{}')).to.deep.equal({
      app: { 'bad key': 'x', [LABELS.family]: 'spoof' },
      b: { 'com.example.team': 'other' },
    });
    expect(paths(translation.warnings)).to.deep.equal([
      'spec.containerDefinitions[0].dockerLabels["bad key"]',
      'spec.containerDefinitions[0].dockerLabels["ecs.operator.dev/family"]',
      'spec.containerDefinitions[1].dockerLabels["com.example.team"]',
    ]);
  });

  it('logConfiguration → an annotation per container with a warning', () => {
    const logConfiguration = { logDriver: 'awslogs' as const, options: { 'awslogs-group': '/ecs/web', 'awslogs-region': 'us-east-1' } };
    const translation = translate(taskSpec({ containerDefinitions: [containerDefinition({ logConfiguration })] }));
    expect(JSON.parse(translation.template?.metadata?.annotations?.[ANNOTATIONS.logConfiguration] ?? '{}')).to.deep.equal({ app: logConfiguration });
    expect(paths(translation.warnings)).to.deep.equal(['spec.containerDefinitions[0].logConfiguration']);
  });

  it('tags go on the pod only when they propagate', () => {
    const spec = taskSpec({
      tags: [
        { key: 'team', value: 'payments' },
        { key: 'cost center', value: '42' },
      ],
    });
    expect(translate(spec).template?.metadata?.labels).to.not.have.property('team');
    const propagated = translate(spec, { propagateTags: true });
    expect(propagated.template?.metadata?.labels?.team).to.equal('payments');
    expect(propagated.template?.metadata?.annotations?.[ANNOTATIONS.tags]).to.equal('{"cost center":"42"}');
    expect(paths(propagated.warnings)).to.deep.equal(['spec.tags[1]']);
  });

  it('pod restartPolicy is Never for a task and Always when the controller asks (ReplicaSets)', () => {
    expect(podSpecOf(translate(taskSpec())).restartPolicy).to.equal('Never');
    expect(podSpecOf(translate(taskSpec(), { restartPolicy: 'Always' })).restartPolicy).to.equal('Always');
  });
});
