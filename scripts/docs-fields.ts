// `npm run docs:fields`: rewrites the field table of docs/translation.md from the CRD field walk (test/fields/).
import { writeDocument } from '../test/fields/table.js';

await writeDocument();
