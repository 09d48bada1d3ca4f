import { expect } from 'chai';
import type { TaskDefinitionSpec } from '../../../operator/src/api/taskdefinition.js';
import { checkTaskDefinition } from '../../../operator/src/translate/index.js';
import { containerDefinition, taskSpec } from './helpers.js';

/** A mistake users make, and the error it must give: path and part of the message. */
interface Mistake {
  what: string;
  spec: unknown;
  path: string;
  message: RegExp;
}

const mistakes: Mistake[] = [
  { what: 'no containers', spec: { family: 'web', containerDefinitions: [] }, path: 'spec.containerDefinitions', message: /must NOT have fewer than 1 items/ },
  {
    what: 'container without image',
    spec: { containerDefinitions: [{ name: 'app', memory: 512 }] },
    path: 'spec.containerDefinitions[0].image',
    message: /is required/,
  },
  {
    what: 'memory as a string',
    spec: { containerDefinitions: [{ name: 'app', image: 'x', memory: '512' }] },
    path: 'spec.containerDefinitions[0].memory',
    message: /must be integer/,
  },
  {
    what: 'unknown network mode',
    spec: taskSpec({ networkMode: 'nat' as never }),
    path: 'spec.networkMode',
    message: /must be equal to one of the allowed values: bridge, host, awsvpc, none/,
  },
  {
    what: 'health check interval out of range',
    spec: taskSpec({ containerDefinitions: [containerDefinition({ healthCheck: { command: ['CMD', 'true'], interval: 1 } })] }),
    path: 'spec.containerDefinitions[0].healthCheck.interval',
    message: /must be >= 5/,
  },
  { what: 'family with a space', spec: taskSpec({ family: 'my web' }), path: 'spec.family', message: /must match pattern/ },
  {
    what: 'eleven containers',
    spec: taskSpec({ containerDefinitions: Array.from({ length: 11 }, (_unused, index) => containerDefinition({ name: `c${index}` })) }),
    path: 'spec.containerDefinitions',
    message: /must NOT have more than 10 items/,
  },
  {
    what: 'duplicate container names',
    spec: taskSpec({ containerDefinitions: [containerDefinition(), containerDefinition()] }),
    path: 'spec.containerDefinitions[1].name',
    message: /is used by spec.containerDefinitions\[0\] too/,
  },
  {
    what: 'container names that collide in Kubernetes',
    spec: taskSpec({ containerDefinitions: [containerDefinition({ name: 'web_app' }), containerDefinition({ name: 'Web-App' })] }),
    path: 'spec.containerDefinitions[1].name',
    message: /becomes the Kubernetes container name "web-app"/,
  },
  {
    what: 'no essential container',
    spec: taskSpec({ containerDefinitions: [containerDefinition({ essential: false })] }),
    path: 'spec.containerDefinitions',
    message: /at least one container must be essential/,
  },
  {
    what: 'memory not above memoryReservation',
    spec: taskSpec({ containerDefinitions: [containerDefinition({ memory: 256, memoryReservation: 256 })] }),
    path: 'spec.containerDefinitions[0].memory',
    message: /must be greater than memoryReservation/,
  },
  {
    what: 'no memory anywhere',
    spec: taskSpec({ containerDefinitions: [containerDefinition({ memory: undefined })] }),
    path: 'spec.containerDefinitions[0].memory',
    message: /give memory or memoryReservation/,
  },
  { what: 'unreadable task cpu', spec: taskSpec({ cpu: 'two cores' }), path: 'spec.cpu', message: /is not CPU units/ },
  {
    what: 'container cpu over task cpu',
    spec: taskSpec({ cpu: '256', containerDefinitions: [containerDefinition({ cpu: 512 })] }),
    path: 'spec.cpu',
    message: /adds up to 512 units, more than the task's 256/,
  },
  {
    what: 'two containers on one port',
    spec: taskSpec({
      containerDefinitions: [
        containerDefinition({ portMappings: [{ containerPort: 80 }] }),
        containerDefinition({ name: 'b', portMappings: [{ containerPort: 80 }] }),
      ],
    }),
    path: 'spec.containerDefinitions[1].portMappings[0].containerPort',
    message: /port 80\/tcp is already used by spec.containerDefinitions\[0\].portMappings\[0\].containerPort/,
  },
  {
    what: 'one host port twice',
    spec: taskSpec({
      containerDefinitions: [
        containerDefinition({
          portMappings: [
            { containerPort: 80, hostPort: 8080 },
            { containerPort: 81, hostPort: 8080 },
          ],
        }),
      ],
    }),
    path: 'spec.containerDefinitions[0].portMappings[1].hostPort',
    message: /host port 8080\/tcp is already used/,
  },
  {
    what: 'one port name twice',
    spec: taskSpec({
      containerDefinitions: [
        containerDefinition({ portMappings: [{ containerPort: 80, name: 'http' }] }),
        containerDefinition({ name: 'b', portMappings: [{ containerPort: 81, name: 'http' }] }),
      ],
    }),
    path: 'spec.containerDefinitions[1].portMappings[0].name',
    message: /port name http is already used/,
  },
  {
    what: 'awsvpc hostPort unlike containerPort',
    spec: taskSpec({ networkMode: 'awsvpc', containerDefinitions: [containerDefinition({ portMappings: [{ containerPort: 80, hostPort: 8080 }] })] }),
    path: 'spec.containerDefinitions[0].portMappings[0].hostPort',
    message: /must equal containerPort \(80\)/,
  },
  {
    what: 'port mapping without a port',
    spec: taskSpec({ containerDefinitions: [containerDefinition({ portMappings: [{ protocol: 'tcp' }] })] }),
    path: 'spec.containerDefinitions[0].portMappings[0].containerPort',
    message: /is required/,
  },
  {
    what: 'mount of an unknown volume',
    spec: taskSpec({ containerDefinitions: [containerDefinition({ mountPoints: [{ sourceVolume: 'data', containerPath: '/data' }] })] }),
    path: 'spec.containerDefinitions[0].mountPoints[0].sourceVolume',
    message: /no volume named "data"/,
  },
  {
    what: 'dependsOn an unknown container',
    spec: taskSpec({ containerDefinitions: [containerDefinition({ dependsOn: [{ containerName: 'db', condition: 'START' }] })] }),
    path: 'spec.containerDefinitions[0].dependsOn[0].containerName',
    message: /no container named "db"/,
  },
  {
    what: 'unknown proxy container',
    spec: taskSpec({ proxyConfiguration: { containerName: 'envoy' } }),
    path: 'spec.proxyConfiguration.containerName',
    message: /no container named "envoy"/,
  },
  {
    what: 'Fargate without awsvpc',
    spec: taskSpec({ requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512' }),
    path: 'spec.networkMode',
    message: /FARGATE needs networkMode awsvpc/,
  },
  {
    what: 'Fargate pair that does not exist',
    spec: taskSpec({ requiresCompatibilities: ['FARGATE'], networkMode: 'awsvpc', cpu: '256', memory: '4096' }),
    path: 'spec.memory',
    message: /FARGATE with cpu 256 takes memory 512, 1024, 2048 MiB, not 4096/,
  },
  {
    what: 'Fargate without sizes',
    spec: taskSpec({ requiresCompatibilities: ['FARGATE'], networkMode: 'awsvpc' }),
    path: 'spec.memory',
    message: /FARGATE needs task cpu and memory/,
  },
  {
    what: 'Fargate host path',
    spec: taskSpec({
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: '1 vCPU',
      memory: '2 GB',
      volumes: [{ name: 'v', host: { sourcePath: '/var' } }],
    }),
    path: 'spec.volumes[0].host.sourcePath',
    message: /FARGATE does not allow host paths/,
  },
  {
    what: 'Fargate stopTimeout over 120',
    spec: taskSpec({
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: '4096',
      memory: '30 GB',
      containerDefinitions: [containerDefinition({ stopTimeout: 300 })],
    }),
    path: 'spec.containerDefinitions[0].stopTimeout',
    message: /at most 120 seconds/,
  },
];

describe('translate/validate', () => {
  for (const mistake of mistakes) {
    it(`refuses ${mistake.what} at ${mistake.path}`, () => {
      const { errors } = checkTaskDefinition(mistake.spec);
      const error = errors.find(({ path }) => path === mistake.path);
      expect(error, JSON.stringify(errors)).to.not.equal(undefined);
      expect(error?.message).to.match(mistake.message);
    });
  }

  it('accepts a valid spec without issues, Fargate pairs included', () => {
    expect(checkTaskDefinition(taskSpec())).to.deep.equal({ errors: [], warnings: [] });
    for (const [cpu, memory] of [
      ['256', '2048'],
      ['512', '4 GB'],
      ['4096', '30720'],
      ['16 vCPU', '122880'],
    ] as const) {
      const spec: TaskDefinitionSpec = taskSpec({ requiresCompatibilities: ['FARGATE'], networkMode: 'awsvpc', cpu, memory });
      expect(checkTaskDefinition(spec).errors, `${cpu}/${memory}`).to.deep.equal([]);
    }
  });

  it('reports unknown fields as warnings, with the path of the field', () => {
    const spec = {
      ...taskSpec(),
      taskDefinitionArn: 'arn:aws:ecs:us-east-1:1:task-definition/web:3',
      containerDefinitions: [{ ...containerDefinition(), 'my.field': 1 }],
    };
    expect(checkTaskDefinition(spec)).to.deep.equal({
      errors: [],
      warnings: [
        { path: 'spec.taskDefinitionArn', message: 'unknown field, ignored' },
        { path: 'spec.containerDefinitions[0]["my.field"]', message: 'unknown field, ignored' },
      ],
    });
  });

  it('refuses what is not an object at all', () => {
    expect(checkTaskDefinition('web').errors).to.deep.equal([{ path: 'spec', message: 'must be object' }]);
    expect(checkTaskDefinition(null).errors).to.deep.equal([{ path: 'spec', message: 'must be object' }]);
  });
});
