import { expect } from 'chai';
import { containerDefinition, paths, podSpecOf, taskSpec, translate, translateContainer } from './helpers.js';

describe('translate/container', () => {
  it('maps name, image, entryPoint → command, command → args, workingDirectory, interactive → stdin, pseudoTerminal → tty', () => {
    const { container } = translateContainer(
      {
        name: 'Web_App',
        image: 'public.ecr.aws/nginx/nginx@sha256:abc',
        entryPoint: ['/docker-entrypoint.sh'],
        command: ['nginx', '-g', 'daemon off;'],
        workingDirectory: '/srv',
        interactive: true,
        pseudoTerminal: true,
        memory: undefined,
      },
      { memory: '512' },
    );
    expect(container).to.deep.equal({
      name: 'web-app',
      image: 'public.ecr.aws/nginx/nginx@sha256:abc',
      command: ['/docker-entrypoint.sh'],
      args: ['nginx', '-g', 'daemon off;'],
      workingDir: '/srv',
      stdin: true,
      tty: true,
    });
  });

  describe('resources', () => {
    it('cpu → CPU request only, memory → limit, memoryReservation → request', () => {
      const { container } = translateContainer({ cpu: 256, memory: 1024, memoryReservation: 512 });
      expect(container.resources).to.deep.equal({ requests: { cpu: '250m', memory: '512Mi' }, limits: { memory: '1Gi' } });
    });

    it('memory alone → request = limit', () => {
      expect(translateContainer({ cpu: 100, memory: 300 }).container.resources).to.deep.equal({
        requests: { cpu: '97m', memory: '300Mi' },
        limits: { memory: '300Mi' },
      });
    });

    it('memoryReservation alone → request only (the container may use the rest of the task)', () => {
      expect(translateContainer({ memory: undefined, memoryReservation: 128 }).container.resources).to.deep.equal({ requests: { memory: '128Mi' } });
    });

    it('neither → nothing at the container: the pod-level task memory caps it', () => {
      const { container, translation } = translateContainer({ memory: undefined }, { memory: '1 GB' });
      expect(container.resources).to.equal(undefined);
      expect(podSpecOf(translation).resources).to.deep.equal({ requests: { memory: '1Gi' }, limits: { memory: '1Gi' } });
    });

    it('cpu 0 (what describe-task-definition prints for none) requests nothing', () => {
      expect(translateContainer({ cpu: 0 }).container.resources).to.deep.equal({ requests: { memory: '512Mi' }, limits: { memory: '512Mi' } });
    });

    it('GPU → a limit of the cluster GPU resource; InferenceAccelerator → warning', () => {
      const fields = {
        resourceRequirements: [
          { type: 'GPU' as const, value: '2' },
          { type: 'InferenceAccelerator' as const, value: 'device_1' },
        ],
      };
      const { container, translation } = translateContainer(fields);
      expect(container.resources?.limits).to.deep.equal({ 'nvidia.com/gpu': '2', memory: '512Mi' });
      expect(paths(translation.warnings)).to.deep.equal(['spec.containerDefinitions[0].resourceRequirements[1]']);
      const amd = translateContainer(fields, {}, { cluster: { gpuResourceName: 'amd.com/gpu' } }).container;
      expect(amd.resources?.limits).to.deep.equal({ 'amd.com/gpu': '2', memory: '512Mi' });
    });

    it('a GPU count that is not a whole number is an error', () => {
      const { errors } = translate(taskSpec({ containerDefinitions: [containerDefinition({ resourceRequirements: [{ type: 'GPU', value: '0.5' }] })] }));
      expect(paths(errors)).to.deep.equal(['spec.containerDefinitions[0].resourceRequirements[0].value']);
    });
  });

  describe('portMappings', () => {
    const mappings = [
      { containerPort: 80, hostPort: 8080, protocol: 'tcp' as const, name: 'http' },
      { containerPort: 53, protocol: 'udp' as const },
      { containerPort: 9090, hostPort: 0 },
    ];

    it('bridge: hostPort only where a non-zero one is set; protocol upper case', () => {
      const { container } = translateContainer({ portMappings: mappings }, { networkMode: 'bridge' });
      expect(container.ports).to.deep.equal([
        { name: 'http', containerPort: 80, hostPort: 8080, protocol: 'TCP' },
        { containerPort: 53, protocol: 'UDP' },
        { containerPort: 9090, protocol: 'TCP' },
      ]);
    });

    it('no networkMode is bridge, as in ECS', () => {
      expect(translateContainer({ portMappings: [{ containerPort: 80, hostPort: 80 }] }).container.ports).to.deep.equal([
        { containerPort: 80, hostPort: 80, protocol: 'TCP' },
      ]);
    });

    it('host: hostPort = containerPort, and the pod is on the host network', () => {
      const { container, translation } = translateContainer(
        { portMappings: [{ containerPort: 80 }, { containerPort: 443, hostPort: 443 }] },
        { networkMode: 'host' },
      );
      expect(container.ports).to.deep.equal([
        { containerPort: 80, hostPort: 80, protocol: 'TCP' },
        { containerPort: 443, hostPort: 443, protocol: 'TCP' },
      ]);
      expect(podSpecOf(translation).hostNetwork).to.equal(true);
    });

    it('awsvpc never sets hostPort (describe-task-definition fills hostPort = containerPort)', () => {
      const { container, translation } = translateContainer(
        { portMappings: [{ containerPort: 80, hostPort: 80, protocol: 'tcp' }] },
        { networkMode: 'awsvpc' },
      );
      expect(container.ports).to.deep.equal([{ containerPort: 80, protocol: 'TCP' }]);
      expect(podSpecOf(translation).hostNetwork).to.equal(undefined);
    });

    it('a port range and an invalid port name are warnings', () => {
      const { container, translation } = translateContainer(
        { portMappings: [{ containerPortRange: '8000-8010' }, { containerPort: 81, name: 'Web_Port_Long_Name' }] },
        { networkMode: 'awsvpc' },
      );
      expect(container.ports).to.deep.equal([{ containerPort: 81, protocol: 'TCP' }]);
      expect(paths(translation.warnings)).to.deep.equal([
        'spec.containerDefinitions[0].portMappings[0].containerPortRange',
        'spec.containerDefinitions[0].portMappings[1].name',
      ]);
    });
  });

  describe('environment, secrets, environmentFiles', () => {
    it('environment → env values, secrets → Secret key references after them', () => {
      const { container, translation } = translateContainer({
        environment: [
          { name: 'MODE', value: 'prod' },
          { name: 'PORT', value: '80' },
        ],
        secrets: [
          { name: 'DB_PASSWORD', valueFrom: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf:password::' },
          { name: 'API_TOKEN', valueFrom: 'arn:aws:ssm:us-east-1:123456789012:parameter/prod/api/token' },
        ],
      });
      expect(container.env).to.deep.equal([
        { name: 'MODE', value: 'prod' },
        { name: 'PORT', value: '80' },
        { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'prod-db', key: 'password' } } },
        { name: 'API_TOKEN', valueFrom: { secretKeyRef: { name: 'prod-api-token', key: 'value' } } },
      ]);
      expect(translation.warnings).to.deep.equal([]);
    });

    it('environmentFiles → envFrom ConfigMaps (env wins over envFrom, as environment over files), with a warning', () => {
      const { container, translation } = translateContainer({
        environment: [{ name: 'A', value: '1' }],
        environmentFiles: [{ value: 'arn:aws:s3:::my-bucket/config/app.env', type: 's3' }],
      });
      expect(container.env).to.deep.equal([{ name: 'A', value: '1' }]);
      expect(container.envFrom).to.deep.equal([{ configMapRef: { name: 'my-bucket-config-app.env' } }]);
      expect(translation.warnings).to.deep.equal([
        {
          path: 'spec.containerDefinitions[0].environmentFiles[0].value',
          message:
            'variables are read from ConfigMap "my-bucket-config-app.env", which must exist (kubectl create configmap my-bucket-config-app.env --from-env-file=FILE)',
        },
      ]);
    });

    it('a repeated variable is a warning at the later one; a bad secret ARN is an error', () => {
      const repeated = translateContainer({ environment: [{ name: 'A', value: '1' }], secrets: [{ name: 'A', valueFrom: 'a' }] }).translation;
      expect(paths(repeated.warnings)).to.deep.equal(['spec.containerDefinitions[0].secrets[0].name']);
      const bad = translate(
        taskSpec({ containerDefinitions: [containerDefinition({ secrets: [{ name: 'A', valueFrom: 'arn:aws:kms:us-east-1:1:key/x' }] })] }),
      );
      expect(paths(bad.errors)).to.deep.equal(['spec.containerDefinitions[0].secrets[0].valueFrom']);
    });
  });

  describe('securityContext', () => {
    it('capabilities upper case without CAP_, readonlyRootFilesystem, numeric user and group', () => {
      const { container, translation } = translateContainer({
        linuxParameters: { capabilities: { add: ['cap_net_admin', 'SYS_TIME'], drop: ['ALL'] } },
        readonlyRootFilesystem: true,
        user: '1000:2000',
      });
      expect(container.securityContext).to.deep.equal({
        capabilities: { add: ['NET_ADMIN', 'SYS_TIME'], drop: ['ALL'] },
        readOnlyRootFilesystem: true,
        runAsUser: 1000,
        runAsGroup: 2000,
      });
      expect(translation.warnings).to.deep.equal([]);
    });

    it('a user or group name is a warning (numeric parts still apply)', () => {
      const { container, translation } = translateContainer({ user: '1000:www-data' });
      expect(container.securityContext).to.deep.equal({ runAsUser: 1000 });
      expect(paths(translation.warnings)).to.deep.equal(['spec.containerDefinitions[0].user']);
      expect(translateContainer({ user: 'nginx' }).container.securityContext).to.equal(undefined);
    });

    it('privileged only where the cluster allows it, else an error naming the field', () => {
      expect(translateContainer({ privileged: true }, {}, { cluster: { allowPrivileged: true } }).container.securityContext).to.deep.equal({
        privileged: true,
      });
      const refused = translate(taskSpec({ containerDefinitions: [containerDefinition({ privileged: true })] }));
      expect(refused.template).to.equal(undefined);
      expect(paths(refused.errors)).to.deep.equal(['spec.containerDefinitions[0].privileged']);
    });

    it('dockerSecurityOptions: no-new-privileges, apparmor, SELinux label parts; others warn', () => {
      const { container, translation } = translateContainer({
        dockerSecurityOptions: [
          'no-new-privileges',
          'apparmor:my-profile',
          'label:type:container_t',
          'label:level:s0:c100,c200',
          'label:disable',
          'credentialspec:file://gmsa.json',
        ],
      });
      expect(container.securityContext).to.deep.equal({
        allowPrivilegeEscalation: false,
        appArmorProfile: { type: 'Localhost', localhostProfile: 'my-profile' },
        seLinuxOptions: { type: 'container_t', level: 's0:c100,c200' },
      });
      expect(paths(translation.warnings)).to.deep.equal([
        'spec.containerDefinitions[0].dockerSecurityOptions[4]',
        'spec.containerDefinitions[0].dockerSecurityOptions[5]',
      ]);
      expect(translateContainer({ dockerSecurityOptions: ['apparmor:unconfined'] }).container.securityContext).to.deep.equal({
        appArmorProfile: { type: 'Unconfined' },
      });
    });
  });

  describe('restartPolicy', () => {
    const restartPolicy = { enabled: true, ignoredExitCodes: [0, 143], restartAttemptPeriod: 60 };

    it('with ContainerRestartRules: restart on every exit code but the ignored ones', () => {
      const { container, translation } = translateContainer({ restartPolicy }, {}, { cluster: { containerRestartRules: true } });
      expect(container.restartPolicy).to.equal('Never');
      expect(container.restartPolicyRules).to.deep.equal([{ action: 'Restart', exitCodes: { operator: 'NotIn', values: [0, 143] } }]);
      expect(paths(translation.warnings)).to.deep.equal(['spec.containerDefinitions[0].restartPolicy.restartAttemptPeriod']);
      expect(translateContainer({ restartPolicy: { enabled: true } }, {}, { cluster: { containerRestartRules: true } }).container.restartPolicy).to.equal(
        'Always',
      );
    });

    it('without it: a warning, nothing set', () => {
      const { container, translation } = translateContainer({ restartPolicy });
      expect(container.restartPolicy).to.equal(undefined);
      expect(paths(translation.warnings)).to.deep.equal(['spec.containerDefinitions[0].restartPolicy']);
    });
  });

  it('reports every field Kubernetes cannot honour per container', () => {
    const { container, translation } = translateContainer({
      ulimits: [{ name: 'nofile', softLimit: 1024, hardLimit: 4096 }],
      linuxParameters: { devices: [{ hostPath: '/dev/fuse' }], maxSwap: 0, swappiness: 10 },
      disableNetworking: true,
      firelensConfiguration: { type: 'fluentbit' },
      startTimeout: 60,
      credentialSpecs: ['credentialspec:arn:aws:s3:::bucket/spec.json'],
      versionConsistency: 'enabled',
    });
    expect(container).to.deep.equal({ name: 'app', image: 'nginx:1.27', resources: { requests: { memory: '512Mi' }, limits: { memory: '512Mi' } } });
    expect(paths(translation.warnings)).to.deep.equal(
      [
        'ulimits',
        'linuxParameters.devices',
        'linuxParameters.maxSwap',
        'linuxParameters.swappiness',
        'disableNetworking',
        'firelensConfiguration',
        'startTimeout',
        'credentialSpecs',
        'versionConsistency',
      ].map((field) => `spec.containerDefinitions[0].${field}`),
    );
  });
});
