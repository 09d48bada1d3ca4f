// Files of deploy tools hold placeholders their tool fills in: CodeDeploy's `<IMAGE1_NAME>`, ecspresso's Go templates
// (`{{ must_env `TAG` }}`), Terraform templatefile's and envsubst's `${name}`. Unrendered, the value is not what
// will run, so import and translate refuse it, naming the field and the placeholder. `${...}` where a program
// reads the text (environment values, command, entryPoint) may be the program's own expansion (a shell's), so
// there it is a warning.
import { expect } from 'chai';
import { main as importMain } from '../../../operator/src/cli/import.js';
import { main as translateMain } from '../../../operator/src/cli/translate.js';
import { fixture, run } from './helpers.js';

const CODEDEPLOY = fixture('checkout.codedeploy-taskdef.json');
const ECSPRESSO = fixture('payments.ecspresso-task-def.json');
const TERRAFORM = fixture('api.terraform-templatefile.json');

const both = async (argv: string[], files: Record<string, string> = {}) => [await run(importMain, argv, files), await run(translateMain, argv, files)];

describe('unrendered templates', () => {
  it('CodeDeploy taskdef.json: <IMAGE1_NAME> in the image is an error in import and translate', async () => {
    for (const result of await both(['-f', CODEDEPLOY])) {
      expect(result.status).to.equal(1);
      expect(result.errors).to.deep.equal([
        `error: ${CODEDEPLOY}: containerDefinitions[0].image: holds the CodeDeploy placeholder '<IMAGE1_NAME>', not rendered: render the file first (CodeDeploy fills it in when it deploys)`,
      ]);
    }
  });

  it('ecspresso: each Go template is an error at its field, the role ARNs and environment values included', async () => {
    const expected = [
      `error: ${ECSPRESSO}: containerDefinitions[0].image: holds the Go template '{{ must_env \`AWS_ACCOUNT_ID\` }}', not rendered: render the file first (ecspresso render, or the tool that fills it in)`,
      `error: ${ECSPRESSO}: containerDefinitions[0].image: holds the Go template '{{ must_env \`IMAGE_TAG\` }}', not rendered: render the file first (ecspresso render, or the tool that fills it in)`,
      `error: ${ECSPRESSO}: containerDefinitions[0].environment[0].value: holds the Go template '{{ env \`RACK_ENV\` \`production\` }}', not rendered: render the file first (ecspresso render, or the tool that fills it in)`,
      `error: ${ECSPRESSO}: executionRoleArn: holds the Go template '{{ tfstate \`aws_iam_role.ecs_task_execution.arn\` }}', not rendered: render the file first (ecspresso render, or the tool that fills it in)`,
      `error: ${ECSPRESSO}: taskRoleArn: holds the Go template '{{ must_env \`TASK_ROLE_ARN\` }}', not rendered: render the file first (ecspresso render, or the tool that fills it in)`,
    ];
    const warning = `warning: ${ECSPRESSO}: containerDefinitions[0].environment[1].value: holds '\${DB_HOST}', which looks like the template variable, not rendered (Terraform templatefile, envsubst, or the tool that fills it in); kept as written, since the program may read it itself`;
    for (const result of await both(['-f', ECSPRESSO])) {
      expect(result.status).to.equal(1);
      expect(result.errors.filter((line) => line.startsWith('error:'))).to.deep.equal(expected);
      expect(result.errors).to.include(warning);
    }
  });

  it('Terraform templatefile: ${...} in the image, a role ARN and a log option is an error; in a shell command and an environment value a warning', async () => {
    for (const result of await both(['-f', TERRAFORM])) {
      expect(result.status).to.equal(1);
      expect(result.errors.filter((line) => line.startsWith('error:'))).to.deep.equal([
        `error: ${TERRAFORM}: containerDefinitions[0].image: holds the template variable '\${app_image}', not rendered: render the file first (Terraform templatefile, envsubst, or the tool that fills it in)`,
        `error: ${TERRAFORM}: containerDefinitions[0].logConfiguration.options.awslogs-region: holds the template variable '\${aws_region}', not rendered: render the file first (Terraform templatefile, envsubst, or the tool that fills it in)`,
        `error: ${TERRAFORM}: executionRoleArn: holds the template variable '\${execution_role_arn}', not rendered: render the file first (Terraform templatefile, envsubst, or the tool that fills it in)`,
      ]);
      expect(result.errors.filter((line) => line.startsWith('warning:') && line.includes('template variable'))).to.deep.equal([
        `warning: ${TERRAFORM}: containerDefinitions[0].command[2]: holds '\${PORT:-8000}', which looks like the template variable, not rendered (Terraform templatefile, envsubst, or the tool that fills it in); kept as written, since the program may read it itself`,
        `warning: ${TERRAFORM}: containerDefinitions[0].environment[1].value: holds '\${allowed_hosts}', which looks like the template variable, not rendered (Terraform templatefile, envsubst, or the tool that fills it in); kept as written, since the program may read it itself`,
      ]);
    }
  });

  it('in a YAML manifest too, instead of a pattern error: `{{ env ... }}` in an image', async () => {
    const manifest =
      'apiVersion: ecs.operator.dev/v1alpha1\nkind: TaskDefinition\nmetadata: {name: web}\nspec:\n  family: web\n  containerDefinitions: [{name: app, memory: 256, image: "nginx:{{ env `TAG` }}"}]\n';
    const result = await run(translateMain, ['-f', 'web.yaml'], { 'web.yaml': manifest });
    expect(result.status).to.equal(1);
    expect(result.errors).to.deep.equal([
      "error: web.yaml: TaskDefinition web: spec.containerDefinitions[0].image: holds the Go template '{{ env `TAG` }}', not rendered: render the file first (ecspresso render, or the tool that fills it in)",
    ]);
  });

  it("<NAME> in a command is a warning, as Perl's <STDIN> may be", async () => {
    const definition = JSON.stringify({
      family: 'web',
      containerDefinitions: [{ name: 'app', image: 'perl:5.40', memory: 256, command: ['perl', '-ne', 'print while <STDIN>'] }],
    });
    const result = await run(importMain, ['-f', 'web.json'], { 'web.json': definition });
    expect(result.status).to.equal(0);
    expect(result.errors).to.deep.equal([
      "warning: web.json: containerDefinitions[0].command[2]: holds '<STDIN>', which looks like the CodeDeploy placeholder, not rendered (CodeDeploy fills it in when it deploys); kept as written, since the program may read it itself",
    ]);
  });

  it('what only looks alike passes: HTML and a lower-case <tag>, a $VAR without braces, text with single braces', async () => {
    const definition = JSON.stringify({
      family: 'web',
      containerDefinitions: [
        {
          name: 'app',
          image: 'nginx:1.27',
          memory: 256,
          command: ['sh', '-c', "echo '<html><body>Hello</body></html>' > /usr/share/nginx/html/index.html && exec nginx -g 'daemon off;' # $HOME"],
          environment: [{ name: 'JSON', value: '{"a": {"b": 1}}' }],
        },
      ],
    });
    const result = await run(importMain, ['-f', 'web.json'], { 'web.json': definition });
    expect(result.stderr).to.equal('');
    expect(result.status).to.equal(0);
  });
});
