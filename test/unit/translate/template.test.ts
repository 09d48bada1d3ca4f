import { expect } from 'chai';
import fc from 'fast-check';
import type { TaskDefinitionSpec } from '../../../operator/src/api/taskdefinition.js';
import { hashPodTemplate, LABELS, taskDefinitionToPodTemplate } from '../../../operator/src/translate/index.js';
import { toDnsLabel } from '../../../operator/src/translate/names.js';
import { taskSpec, translate } from './helpers.js';

const containerNames = ['app', 'web', 'Side_Car', 'side-car', 'db'];
const volumeNames = ['data', 'logs', 'my_vol'];
const arnLike = fc.constantFrom(
  'arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf:k::',
  'arn:aws:ssm:us-east-1:1:parameter/a/b',
  'plain',
  'arn:aws:kms:x',
  '',
);

/** Well-typed specs whose parts refer to each other, often wrongly: translation gets past the shape check and meets every kind of mistake. */
const containerArbitrary = fc.record(
  {
    name: fc.constantFrom(...containerNames),
    image: fc.constantFrom('nginx', 'busybox:1.36'),
    cpu: fc.integer({ min: 0, max: 2048 }),
    memory: fc.integer({ min: 1, max: 4096 }),
    memoryReservation: fc.integer({ min: 1, max: 4096 }),
    essential: fc.boolean(),
    portMappings: fc.array(
      fc.record(
        {
          containerPort: fc.integer({ min: 1, max: 100 }),
          hostPort: fc.integer({ min: 0, max: 100 }),
          protocol: fc.constantFrom('tcp' as const, 'udp' as const),
          name: fc.constantFrom('http', 'Bad_Name'),
        },
        { requiredKeys: ['containerPort'] },
      ),
      { maxLength: 2 },
    ),
    dependsOn: fc.array(
      fc.record({
        containerName: fc.constantFrom(...containerNames, 'ghost'),
        condition: fc.constantFrom('START' as const, 'COMPLETE' as const, 'SUCCESS' as const, 'HEALTHY' as const),
      }),
      { maxLength: 2 },
    ),
    healthCheck: fc.record(
      { command: fc.constantFrom<string[]>(['CMD', 'true'], ['CMD-SHELL', 'exit 0'], ['NONE'], ['bad']), startPeriod: fc.integer({ min: 0, max: 300 }) },
      { requiredKeys: ['command'] },
    ),
    mountPoints: fc.array(fc.record({ sourceVolume: fc.constantFrom(...volumeNames, 'ghost'), containerPath: fc.constantFrom('/a', '/b', '/dev/shm') }), {
      maxLength: 2,
    }),
    volumesFrom: fc.array(fc.record({ sourceContainer: fc.constantFrom(...containerNames), readOnly: fc.boolean() }), { maxLength: 1 }),
    secrets: fc.array(fc.record({ name: fc.constantFrom('A', 'B'), valueFrom: arnLike }), { maxLength: 2 }),
    linuxParameters: fc.record(
      {
        sharedMemorySize: fc.integer({ min: 1, max: 512 }),
        initProcessEnabled: fc.boolean(),
        tmpfs: fc.array(fc.record({ containerPath: fc.constantFrom('/tmp', '/a'), size: fc.integer({ min: 1, max: 64 }) }), { maxLength: 1 }),
      },
      { requiredKeys: [] },
    ),
    dockerLabels: fc.dictionary(fc.constantFrom('a', 'bad key', 'ecs.operator.dev/family', 'com.example/x'), fc.constantFrom('v', 'has space', '')),
    hostname: fc.constantFrom('web', 'Not_A_Label'),
    links: fc.array(fc.constantFrom('app', 'db:database', 'ghost'), { maxLength: 1 }),
    stopTimeout: fc.integer({ min: 0, max: 300 }),
    user: fc.constantFrom('1000', '1000:1000', 'nginx', 'a:b:c'),
    systemControls: fc.array(fc.record({ namespace: fc.constantFrom('net.ipv4.tcp_syncookies', 'kernel.msgmax'), value: fc.constantFrom('1', '2') }), {
      maxLength: 2,
    }),
    privileged: fc.boolean(),
  },
  { requiredKeys: ['name', 'image'] },
);

const specArbitrary: fc.Arbitrary<TaskDefinitionSpec> = fc.record(
  {
    family: fc.constantFrom('web', 'batch_job'),
    networkMode: fc.constantFrom('bridge' as const, 'host' as const, 'awsvpc' as const, 'none' as const),
    containerDefinitions: fc.array(containerArbitrary, { minLength: 1, maxLength: 4 }),
    volumes: fc.array(
      fc.record(
        {
          name: fc.constantFrom(...volumeNames),
          host: fc.record({ sourcePath: fc.constantFrom('/var/data', '') }),
          dockerVolumeConfiguration: fc.record({ scope: fc.constantFrom('task' as const, 'shared' as const) }),
        },
        { requiredKeys: ['name'] },
      ),
      { maxLength: 3 },
    ),
    cpu: fc.constantFrom('256', '1 vCPU', '0.3 vCPU', 'x'),
    memory: fc.constantFrom('512', '2 GB', '0.5GB', 'lots'),
    pidMode: fc.constantFrom('host' as const, 'task' as const),
    requiresCompatibilities: fc.constantFrom(['EC2' as const], ['FARGATE' as const]),
    taskRoleArn: fc.constantFrom('arn:aws:iam::123456789012:role/App', 'App'),
    ephemeralStorage: fc.record({ sizeInGiB: fc.integer({ min: 21, max: 200 }) }),
  },
  { requiredKeys: ['containerDefinitions'] },
);

/** Specs that are mostly valid, so that many translate and the pod they give can be checked. */
const validishContainer = (name: string) =>
  fc.record(
    {
      name: fc.constant(name),
      image: fc.constantFrom('nginx', 'busybox:1.36'),
      cpu: fc.integer({ min: 0, max: 256 }),
      memory: fc.integer({ min: 65, max: 128 }),
      memoryReservation: fc.integer({ min: 1, max: 64 }),
      essential: fc.boolean(),
      portMappings: fc.array(fc.record({ containerPort: fc.integer({ min: 1, max: 60000 }), name: fc.constantFrom('http', 'metrics') }), { maxLength: 1 }),
      dependsOn: fc.array(
        fc.record({
          containerName: fc.constantFrom('app', 'web', 'db', 'side_car'),
          condition: fc.constantFrom('START' as const, 'SUCCESS' as const, 'HEALTHY' as const),
        }),
        { maxLength: 1 },
      ),
      healthCheck: fc.record(
        {
          command: fc.constantFrom<string[]>(['CMD', 'true'], ['CMD-SHELL', 'exit 0']),
          interval: fc.integer({ min: 5, max: 60 }),
          startPeriod: fc.integer({ min: 0, max: 300 }),
        },
        { requiredKeys: ['command'] },
      ),
      mountPoints: fc.array(fc.record({ sourceVolume: fc.constantFrom(...volumeNames), containerPath: fc.constantFrom('/a', '/b', '/dev/shm') }), {
        maxLength: 2,
      }),
      volumesFrom: fc.array(fc.record({ sourceContainer: fc.constantFrom('app', 'web', 'db', 'side_car'), readOnly: fc.boolean() }), { maxLength: 1 }),
      secrets: fc.array(fc.record({ name: fc.constantFrom('A', 'B'), valueFrom: fc.constantFrom('arn:aws:ssm:us-east-1:1:parameter/a/b', 'db_password') }), {
        maxLength: 1,
      }),
      linuxParameters: fc.record(
        {
          sharedMemorySize: fc.integer({ min: 1, max: 64 }),
          tmpfs: fc.array(fc.record({ containerPath: fc.constantFrom('/tmp', '/a'), size: fc.integer({ min: 1, max: 64 }) }), { maxLength: 1 }),
        },
        { requiredKeys: [] },
      ),
      dockerLabels: fc.dictionary(fc.constantFrom('a', 'bad key', 'com.example/x'), fc.constantFrom('v', 'has space')),
      stopTimeout: fc.integer({ min: 0, max: 120 }),
    },
    { requiredKeys: ['name', 'image', 'memory', 'memoryReservation'] },
  );

const validishSpecArbitrary: fc.Arbitrary<TaskDefinitionSpec> = fc.record(
  {
    networkMode: fc.constantFrom('bridge' as const, 'host' as const, 'awsvpc' as const),
    containerDefinitions: fc.shuffledSubarray(['app', 'web', 'db', 'side_car'], { minLength: 1 }).chain((names) => fc.tuple(...names.map(validishContainer))),
    volumes: fc.constant(volumeNames.map((name) => ({ name }))),
    cpu: fc.constantFrom('1024', '1 vCPU'),
    memory: fc.constantFrom('1024', '2 GB'),
    ephemeralStorage: fc.record({ sizeInGiB: fc.integer({ min: 21, max: 200 }) }),
  },
  { requiredKeys: ['containerDefinitions', 'volumes'] },
);

/** The invariants of a translated pod: complete, consistently named, deterministic. */
function checkConsistentPod(spec: TaskDefinitionSpec, input: Parameters<typeof taskDefinitionToPodTemplate>[0]): boolean {
  const translation = taskDefinitionToPodTemplate(input);
  expect(translation.template === undefined).to.equal(translation.errors.length > 0);
  for (const issue of [...translation.errors, ...translation.warnings]) expect(issue.path).to.match(/^(spec|overrides)\b/);
  const template = translation.template;
  if (!template?.spec) return false;
  const containers = [...(template.spec.initContainers ?? []), ...template.spec.containers];
  expect(containers).to.have.length(spec.containerDefinitions.length);
  expect(new Set(containers.map(({ name }) => name)).size).to.equal(containers.length);
  for (const { name } of containers) expect(toDnsLabel(name)).to.equal(name);
  const volumes = new Set((template.spec.volumes ?? []).map(({ name }) => name));
  expect(volumes.size).to.equal(template.spec.volumes?.length ?? 0);
  for (const container of containers) {
    for (const mount of container.volumeMounts ?? []) expect(volumes.has(mount.name), mount.name).to.equal(true);
    expect(new Set((container.volumeMounts ?? []).map(({ mountPath }) => mountPath)).size).to.equal(container.volumeMounts?.length ?? 0);
  }
  expect(template.metadata?.labels?.[LABELS.templateHash]).to.equal(hashPodTemplate(template));
  expect(taskDefinitionToPodTemplate(input)).to.deep.equal(translation);
  return true;
}

describe('translate/template', () => {
  it('gives no template, only errors, for an invalid spec', () => {
    const translation = translate(taskSpec({ containerDefinitions: [] }));
    expect(translation.template).to.equal(undefined);
    expect(translation.extraObjects).to.deep.equal([]);
    expect(translation.errors).to.have.length.greaterThan(0);
  });

  it('merges the compiled placement into the pod before hashing', () => {
    const scheduling = {
      affinity: {
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'web' } } }],
        },
      },
      topologySpreadConstraints: [
        { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { app: 'web' } } },
      ],
      schedulerName: 'ecs-binpack-memory',
    };
    const placed = translate(taskSpec(), { scheduling: { ...scheduling, nodeEvaluated: false } as never });
    expect(placed.template?.spec).to.deep.include(scheduling);
    expect(placed.template?.spec).to.not.have.property('nodeEvaluated');
    expect(placed.template?.metadata?.labels?.[LABELS.templateHash]).to.not.equal(translate(taskSpec()).template?.metadata?.labels?.[LABELS.templateHash]);
  });

  it('never throws, whatever is offered as spec and overrides', () => {
    fc.assert(
      fc.property(fc.anything(), fc.option(fc.anything(), { nil: undefined }), (spec, overrides) => {
        const translation = taskDefinitionToPodTemplate({ spec: spec as TaskDefinitionSpec, family: 'f', revision: 1, overrides: overrides as never });
        expect(translation.template === undefined).to.equal(translation.errors.length > 0);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on well-typed specs full of mistakes', () => {
    fc.assert(
      fc.property(specArbitrary, fc.boolean(), (spec, allowPrivileged) => {
        checkConsistentPod(spec, { spec, family: spec.family ?? 'web', revision: 2, cluster: { allowPrivileged } });
      }),
      { numRuns: 300 },
    );
  });

  it('gives a consistent, deterministic pod for mostly valid specs', () => {
    let translated = 0;
    fc.assert(
      fc.property(validishSpecArbitrary, (spec) => {
        if (checkConsistentPod(spec, { spec, family: 'web', revision: 3 })) translated += 1;
      }),
      { numRuns: 300 },
    );
    expect(translated, 'specs that translated').to.be.greaterThan(30);
  });
});
