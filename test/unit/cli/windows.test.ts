// An EC2 Windows task definition as AWS's samples write it: no runtimePlatform, the Docker engine's named pipe
// mounted from the host, and the roles by name. It runs on Windows nodes, as the task's own ServiceAccount.
import { expect } from 'chai';
import { main as importMain } from '../../../operator/src/cli/import.js';
import { main as translateMain } from '../../../operator/src/cli/translate.js';
import { find, fixture, run } from './helpers.js';

const WINDOWS = fixture('iis.windows.register-task-definition.json');

describe('a Windows task definition', () => {
  it('imports as written: the named pipe and the role names kept', async () => {
    const result = await run(importMain, ['-f', WINDOWS]);
    expect(result.stderr).to.equal('');
    expect(result.status).to.equal(0);
    const [td] = result.objects;
    expect(td.spec).to.deep.include({ taskRoleArn: 'IISTaskRole', executionRoleArn: 'ecsTaskExecutionRole' });
    expect(td.spec.volumes).to.deep.equal([{ name: 'docker-pipe', host: { sourcePath: '\\\\.\\pipe\\docker_engine' } }]);
  });

  it('translates to a pod on Windows nodes, running as the ServiceAccount of its role name', async () => {
    const result = await run(translateMain, ['-f', WINDOWS, '--allow-host-access-namespaces', '*']);
    expect(result.status).to.equal(0);
    const { spec } = find(result.objects, 'PodTemplate', 'iis-sample-1').template;
    expect(spec.nodeSelector).to.deep.equal({ 'kubernetes.io/os': 'windows' });
    expect(spec.os).to.deep.equal({ name: 'windows' });
    expect(spec.serviceAccountName).to.equal('iistaskrole');
    expect(spec.volumes).to.deep.equal([{ name: 'docker-pipe', hostPath: { path: '\\\\.\\pipe\\docker_engine' } }]);
    expect(find(result.objects, 'ServiceAccount', 'iistaskrole').metadata.annotations).to.equal(undefined);
    expect(result.errors).to.deep.equal([
      `warning: ${WINDOWS}: taskRoleArn: "IISTaskRole" is a role name, which ECS completes with the task's account; without the account the ServiceAccount gets no eks.amazonaws.com/role-arn annotation (give the full ARN, arn:aws:iam::ACCOUNT:role/IISTaskRole, for IAM roles for service accounts)`,
    ]);
  });
});
