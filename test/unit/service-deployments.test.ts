import { expect } from 'chai';
import fc from 'fast-check';
import type { ServiceSpec } from '../../operator/src/api/service.js';
import type { TaskDefinitionSpec } from '../../operator/src/api/taskdefinition.js';
import {
  addServiceEvents,
  deploymentId,
  deploymentLabelValue,
  MAX_SERVICE_EVENTS,
  replicaSetName,
  serviceMessages,
} from '../../operator/src/translate/service-deployments.js';
import { discoveryServiceName, discoveryServices } from '../../operator/src/translate/service-discovery.js';
import { isLabelValue } from '../../operator/src/translate/names.js';

describe('service deployments', () => {
  describe('names and ids', () => {
    it('names a deployment after service and revision, and a forced one after its token too', () => {
      expect(replicaSetName('web', 3)).to.equal('web-3');
      expect(replicaSetName('web', 3, '')).to.equal('web-3');
      const forced = replicaSetName('web', 3, '2026-11-24T10:00:00Z');
      expect(forced).to.match(/^web-3-[0-9a-f]{6}$/);
      expect(replicaSetName('web', 3, '2026-11-24T10:00:00Z')).to.equal(forced);
      expect(replicaSetName('web', 3, 2)).to.not.equal(forced);
      expect(replicaSetName('web', 3, 2)).to.equal(replicaSetName('web', 3, '2'));
    });

    it('keeps names within what a ReplicaSet (and its pods) may be called, distinct when cut', () => {
      const long = 'a'.repeat(250);
      const a = replicaSetName(long, 1);
      const b = replicaSetName(long, 2);
      expect(a.length).to.be.at.most(247);
      expect(a).to.not.equal(b);
    });

    it('gives ids ecs-svc/ and 19 digits, stable, distinct per service uid and ReplicaSet', () => {
      const id = deploymentId('uid-1', 'web-3');
      expect(id).to.match(/^ecs-svc\/\d{19}$/);
      expect(deploymentId('uid-1', 'web-3')).to.equal(id);
      expect(deploymentId('uid-2', 'web-3')).to.not.equal(id);
      expect(deploymentId('uid-1', 'web-4')).to.not.equal(id);
      expect(deploymentLabelValue(id)).to.equal(id.slice('ecs-svc/'.length));
    });

    it('every id fits a label value', () => {
      fc.assert(
        fc.property(fc.string(), fc.string(), (uid, name) => {
          const label = deploymentLabelValue(deploymentId(uid, name));
          expect(isLabelValue(label)).to.equal(true);
          expect(label).to.have.length(19);
        }),
      );
    });
  });

  describe('events', () => {
    it('words events as ECS does', () => {
      expect(serviceMessages.started('web', ['a', 'b'])).to.equal('(service web) has started 2 tasks: (task a) (task b).');
      expect(serviceMessages.stopped('web', ['a'])).to.equal('(service web) has stopped 1 running tasks: (task a).');
      expect(serviceMessages.steadyState('web')).to.equal('(service web) has reached a steady state.');
      expect(serviceMessages.deploymentCompleted('web', 'ecs-svc/1')).to.equal('(service web) (deployment ecs-svc/1) deployment completed.');
      expect(serviceMessages.unableToStart('web')).to.equal('(service web) is unable to consistently start tasks successfully.');
    });

    it('adds events newest first, keeps the latest 100, and gives the same ids for the same events', () => {
      const first = addServiceEvents(undefined, ['one', 'two'], '2026-11-24T10:00:00.000Z', 'uid');
      expect(first.map((e) => e.message)).to.deep.equal(['two', 'one']);
      expect(addServiceEvents(undefined, ['one', 'two'], '2026-11-24T10:00:00.000Z', 'uid')).to.deep.equal(first);
      expect(first[0]?.id).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      let events = first;
      for (let i = 0; i < 120; i++) events = addServiceEvents(events, [`event ${i}`], `2026-11-24T10:00:${String(i % 60).padStart(2, '0')}.000Z`, 'uid');
      expect(events).to.have.length(MAX_SERVICE_EVENTS);
      expect(events[0]?.message).to.equal('event 119');
    });
  });

  describe('service discovery', () => {
    const taskDefinition: TaskDefinitionSpec = {
      containerDefinitions: [
        {
          name: 'web',
          image: 'nginx',
          portMappings: [
            { containerPort: 80, name: 'http' },
            { containerPort: 9090, protocol: 'udp' },
          ],
        },
        { name: 'admin', image: 'admin', portMappings: [{ containerPort: 8081, name: 'Admin_Port' }] },
      ],
    };
    const spec = (fields: Partial<ServiceSpec>): ServiceSpec => ({ taskDefinition: 'web', ...fields });

    it('gives load balancers and registries one Service named after the resource, a port each, by port name where there is one', () => {
      const { services, errors } = discoveryServices(
        'web',
        spec({
          loadBalancers: [{ targetGroupArn: 'arn:tg', containerName: 'web', containerPort: 80 }],
          serviceRegistries: [
            { registryArn: 'arn:sd', containerName: 'web', containerPort: 9090 },
            { registryArn: 'arn:sd2', port: 80 },
          ],
        }),
        taskDefinition,
      );
      expect(errors).to.deep.equal([]);
      expect(services).to.deep.equal([
        {
          name: 'web',
          ports: [
            { name: 'tcp-80', port: 80, protocol: 'TCP', targetPort: 'http' },
            { name: 'udp-9090', port: 9090, protocol: 'UDP', targetPort: 9090 },
          ],
        },
      ]);
    });

    it('gives each Service Connect service its discovery name and client alias ports, onto the named port', () => {
      const { services } = discoveryServices(
        'web',
        spec({
          serviceConnectConfiguration: {
            enabled: true,
            services: [
              { portName: 'http', discoveryName: 'api', clientAliases: [{ port: 8080 }, { port: 80, dnsName: 'api.local' }] },
              { portName: 'Admin_Port' },
            ],
          },
        }),
        taskDefinition,
      );
      expect(services).to.deep.equal([
        { name: 'admin-port', ports: [{ name: 'admin-port-8081', port: 8081, protocol: 'TCP', targetPort: 8081 }] },
        {
          name: 'api',
          ports: [
            { name: 'http-8080', port: 8080, protocol: 'TCP', targetPort: 'http' },
            { name: 'http-80', port: 80, protocol: 'TCP', targetPort: 'http' },
          ],
        },
      ]);
      expect(
        discoveryServices('web', spec({ serviceConnectConfiguration: { enabled: false, services: [{ portName: 'http' }] } }), taskDefinition).services,
      ).to.deep.equal([]);
    });

    it("carries a port mapping's appProtocol onto the Service port: http as is, http2 and grpc as kubernetes.io/h2c", () => {
      const withProtocols: TaskDefinitionSpec = {
        containerDefinitions: [
          {
            name: 'app',
            image: 'app:1',
            portMappings: [
              { containerPort: 80, name: 'web', appProtocol: 'http' },
              { containerPort: 81, name: 'h2', appProtocol: 'http2' },
              { containerPort: 82, name: 'rpc', appProtocol: 'grpc' },
              { containerPort: 83, name: 'raw' },
            ],
          },
        ],
      };
      const { services } = discoveryServices(
        'app',
        spec({ serviceConnectConfiguration: { enabled: true, services: ['web', 'h2', 'rpc', 'raw'].map((portName) => ({ portName })) } }),
        withProtocols,
      );
      const protocols = Object.fromEntries(services.flatMap((s) => s.ports.map((p) => [s.name, p.appProtocol ?? null])));
      expect(protocols).to.deep.equal({ web: 'http', h2: 'kubernetes.io/h2c', rpc: 'kubernetes.io/h2c', raw: null });
    });

    it('names the field that points at no port of the task definition', () => {
      const { errors } = discoveryServices(
        'web',
        spec({
          loadBalancers: [{ loadBalancerName: 'lb', containerName: 'admin', containerPort: 80 }],
          serviceConnectConfiguration: { enabled: true, services: [{ portName: 'grpc' }] },
        }),
        taskDefinition,
      );
      expect(errors).to.deep.equal([
        { path: 'spec.loadBalancers[0]', message: "container 'admin' of the task definition maps no containerPort 80" },
        { path: 'spec.serviceConnectConfiguration.services[0].portName', message: "no portMappings[].name 'grpc' in the task definition" },
      ]);
    });

    it('makes Service names DNS-1035 labels', () => {
      expect(discoveryServiceName('Web_API')).to.equal('web-api');
      expect(discoveryServiceName('3d')).to.equal('svc-3d');
    });
  });
});
