// `"protocol": "http"` (http2, grpc) in a port mapping: RegisterTaskDefinition takes it and stores tcp, so import
// and translate take it too, as tcp with appProtocol, and say so at the field.
import { expect } from 'chai';
import { main as importMain } from '../../../operator/src/cli/import.js';
import { main as translateMain } from '../../../operator/src/cli/translate.js';
import { validateAgainstCrd } from '../../../operator/src/cli/crd-validation.js';
import { find, run } from './helpers.js';

const definition = (mappings: unknown[]) =>
  JSON.stringify({
    family: 'web',
    networkMode: 'awsvpc',
    containerDefinitions: [{ name: 'app', image: 'nginx:1.27', memory: 256, portMappings: mappings }],
  });

describe('port mapping protocol http, http2, grpc', () => {
  it('imports as tcp with that appProtocol, which the CRD accepts, and warns at the field', async () => {
    const result = await run(importMain, ['-f', 'web.json'], {
      'web.json': definition([
        { containerPort: 80, protocol: 'http' },
        { containerPort: 50051, protocol: 'grpc' },
      ]),
    });
    expect(result.status).to.equal(0);
    const [td] = result.objects;
    expect(td.spec.containerDefinitions[0].portMappings).to.deep.equal([
      { containerPort: 80, appProtocol: 'http' },
      { containerPort: 50051, appProtocol: 'grpc' },
    ]);
    expect(validateAgainstCrd('TaskDefinition', td).errors).to.deep.equal([]);
    expect(result.errors).to.deep.equal([
      'warning: web.json: containerDefinitions[0].portMappings[0].protocol: "http" is an application protocol, not a transport one: ECS stores tcp, and so does this import, with appProtocol: http (write that instead)',
      'warning: web.json: containerDefinitions[0].portMappings[1].protocol: "grpc" is an application protocol, not a transport one: ECS stores tcp, and so does this import, with appProtocol: grpc (write that instead)',
    ]);
  });

  it('keeps an appProtocol the mapping sets', async () => {
    const result = await run(importMain, ['-f', 'web.json'], { 'web.json': definition([{ containerPort: 80, protocol: 'http2', appProtocol: 'grpc' }]) });
    expect(result.objects[0].spec.containerDefinitions[0].portMappings).to.deep.equal([{ containerPort: 80, appProtocol: 'grpc' }]);
    expect(result.errors).to.deep.equal([
      'warning: web.json: containerDefinitions[0].portMappings[0].protocol: "http2" is an application protocol, not a transport one: ECS stores tcp, and so does this import (appProtocol stays grpc)',
    ]);
  });

  it('translate gives a TCP container port', async () => {
    const result = await run(translateMain, ['-f', 'web.json'], { 'web.json': definition([{ containerPort: 80, protocol: 'http' }]) });
    expect(result.status).to.equal(0);
    expect(find(result.objects, 'PodTemplate', 'web-1').template.spec.containers[0].ports).to.deep.equal([{ containerPort: 80, protocol: 'TCP' }]);
  });
});
