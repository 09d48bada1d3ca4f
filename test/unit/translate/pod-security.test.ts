// Pod Security `restricted` where the task definition allows it: a definition that runs every container as a
// non-root numeric user, drops ALL capabilities and sets no-new-privileges gets the two fields ECS implies
// (seccomp RuntimeDefault, runAsNonRoot); one that lacks any of it is translated exactly as before.
// test/e2e/pod-security.test.ts proves the result against Pod Security admission itself.
import { expect } from 'chai';
import type { ContainerDefinition, TaskDefinitionSpec } from '../../../operator/src/api/taskdefinition.js';
import { restrictedGap, restrictedWhereAllowed } from '../../../operator/src/translate/pod-security.js';
import { containerDefinition, podSpecOf, taskSpec, translate } from './helpers.js';

const RESTRICTED_CONTAINER: Partial<ContainerDefinition> = {
  user: '1000:1000',
  dockerSecurityOptions: ['no-new-privileges'],
  linuxParameters: { capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } },
};

function restrictedSpec(fields: Partial<TaskDefinitionSpec> = {}, container: Partial<ContainerDefinition> = {}): TaskDefinitionSpec {
  return taskSpec({ containerDefinitions: [containerDefinition({ ...RESTRICTED_CONTAINER, ...container })], ...fields });
}

const RESTRICTED_POD_FIELDS = { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } };

describe('translate: Pod Security restricted where the task definition allows it', () => {
  it('adds seccomp RuntimeDefault and runAsNonRoot to a pod whose every container qualifies', () => {
    const pod = podSpecOf(translate(restrictedSpec()));
    expect(pod.securityContext).to.deep.equal(RESTRICTED_POD_FIELDS);
    expect(restrictedGap(pod)).to.equal(undefined);
  });

  it('qualifies with a sidecar and a dependency-ordered container when each says all of it', () => {
    const spec = taskSpec({
      containerDefinitions: [
        containerDefinition({ ...RESTRICTED_CONTAINER, name: 'init', essential: false }),
        containerDefinition({ ...RESTRICTED_CONTAINER, name: 'app', dependsOn: [{ containerName: 'init', condition: 'SUCCESS' }] }),
      ],
    });
    const pod = podSpecOf(translate(spec));
    expect(pod.initContainers?.map((c) => c.name)).to.deep.equal(['init']);
    expect(pod.securityContext).to.deep.equal(RESTRICTED_POD_FIELDS);
  });

  it('keeps a pod with sysctls from the safe set and scratch volumes restricted', () => {
    const pod = podSpecOf(
      translate(
        restrictedSpec(
          { volumes: [{ name: 'scratch' }] },
          { systemControls: [{ namespace: 'net.ipv4.tcp_keepalive_time', value: '60' }], mountPoints: [{ sourceVolume: 'scratch', containerPath: '/data' }] },
        ),
      ),
    );
    expect(pod.securityContext).to.deep.include({ ...RESTRICTED_POD_FIELDS, sysctls: [{ name: 'net.ipv4.tcp_keepalive_time', value: '60' }] });
  });

  const GAPS: Array<[string, TaskDefinitionSpec, string]> = [
    ['no user', restrictedSpec({}, { user: undefined }), 'no non-root numeric user'],
    ['the root user', restrictedSpec({}, { user: '0' }), 'no non-root numeric user'],
    ['a user by name', restrictedSpec({}, { user: 'nginx' }), 'no non-root numeric user'],
    ['no no-new-privileges', restrictedSpec({}, { dockerSecurityOptions: [] }), 'no no-new-privileges'],
    ['capabilities kept', restrictedSpec({}, { linuxParameters: { capabilities: { drop: ['NET_RAW'] } } }), 'capabilities not dropped (ALL)'],
    ['a capability added', restrictedSpec({}, { linuxParameters: { capabilities: { drop: ['ALL'], add: ['CHOWN'] } } }), 'beyond NET_BIND_SERVICE'],
    ['a host port', restrictedSpec({}, { portMappings: [{ containerPort: 80, hostPort: 8080 }] }), 'a host port'],
    ['a hostPath volume', restrictedSpec({ volumes: [{ name: 'h', host: { sourcePath: '/var/log' } }] }), 'volume type'],
    ['host networking', restrictedSpec({ networkMode: 'host' }), 'a host namespace'],
    ['an unsafe sysctl', restrictedSpec({}, { systemControls: [{ namespace: 'net.core.somaxconn', value: '1024' }] }), 'an unsafe sysctl'],
    [
      'a second container without it',
      taskSpec({ containerDefinitions: [containerDefinition(RESTRICTED_CONTAINER), containerDefinition({ name: 'log', essential: false })] }),
      'container log',
    ],
  ];
  for (const [what, spec, gap] of GAPS) {
    it(`leaves the pod as before with ${what}`, () => {
      const translation = translate(spec, { cluster: { allowedUnsafeSysctls: ['*'] } });
      const pod = podSpecOf(translation);
      expect(pod.securityContext?.seccompProfile).to.equal(undefined);
      expect(pod.securityContext?.runAsNonRoot).to.equal(undefined);
      expect(restrictedGap(pod)).to.include(gap);
    });
  }

  it('returns the very pod it was given when a task definition does not ask for it, so its template hash is unchanged', () => {
    const pod = podSpecOf(translate(taskSpec({ containerDefinitions: [containerDefinition({ user: '1000' })] })));
    expect(restrictedWhereAllowed(pod)).to.equal(pod);
    expect(pod.securityContext).to.equal(undefined);
  });
});
