import { readOpenApiText } from '@lab/contract';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';

// ajv-formats is CommonJS; under NodeNext its default import is the module object.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

type Json = Record<string, unknown>;

const OPENAPI_KEYWORDS = [
  'openapi',
  'info',
  'jsonSchemaDialect',
  'servers',
  'paths',
  'webhooks',
  'components',
  'security',
  'tags',
  'externalDocs',
  'example',
  'discriminator',
  'xml',
];

function escapePointer(s: string): string {
  return s.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * Validates response bodies against openapi.yaml with ajv (JSON Schema 2020-12, which OpenAPI 3.1 uses). The
 * schema for a response is found from the spec itself (path template, method, status), so a status the spec does
 * not document is a failure too.
 */
export class SpecValidator {
  readonly doc: Json;
  private readonly ajv: Ajv2020;
  private readonly cache = new Map<string, ValidateFunction | string>();

  constructor(specText: string = readOpenApiText()) {
    this.doc = parse(specText) as Json;
    this.ajv = new Ajv2020({ strict: true, allErrors: true });
    addFormats(this.ajv);
    this.ajv.addVocabulary(OPENAPI_KEYWORDS);
    this.ajv.addSchema(this.doc, 'openapi');
  }

  private resolve(pointer: string): { node: unknown; pointer: string } {
    let node: unknown = this.doc;
    let at = pointer;
    for (const part of pointer.split('/').slice(1)) {
      node = (node as Json | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
    }
    const ref = (node as Json | undefined)?.['$ref'];
    if (typeof ref === 'string' && ref.startsWith('#/')) {
      at = ref.slice(1);
      return this.resolve(at);
    }
    return { node, pointer: at };
  }

  private compile(template: string, method: string, status: number): ValidateFunction | string {
    const key = `${method} ${template} ${status}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    const op = `/paths/${escapePointer(template)}/${method.toLowerCase()}`;
    let result: ValidateFunction | string;
    const response = this.resolve(`${op}/responses/${status}`);
    if (response.node === undefined) {
      result = `the spec documents no ${status} response for ${method} ${template}`;
    } else {
      const schemaPointer = `${response.pointer}/content/application~1json/schema`;
      const schema = this.resolve(schemaPointer);
      result =
        schema.node === undefined
          ? `the spec documents no JSON body for ${status} on ${method} ${template}`
          : this.ajv.compile({ $ref: `openapi#${schemaPointer}` });
    }
    this.cache.set(key, result);
    return result;
  }

  /** Whether the spec documents a JSON body for this response (204s and text responses have none). */
  hasJsonBody(template: string, method: string, status: number): boolean {
    const response = this.resolve(
      `/paths/${escapePointer(template)}/${method.toLowerCase()}/responses/${status}`,
    );
    return this.resolve(`${response.pointer}/content/application~1json/schema`).node !== undefined;
  }

  /** Problems with a body for a documented operation; empty when it conforms. */
  validateResponse(template: string, method: string, status: number, body: unknown): string[] {
    const v = this.compile(template, method, status);
    if (typeof v === 'string') return [v];
    if (v(body)) return [];
    return (v.errors ?? []).map((e) => `${e.instancePath || '(body)'} ${e.message ?? 'is invalid'}`);
  }

  /** Validates against one named component schema (for bodies of unknown routes, e.g. the 404 Error). */
  validateSchema(name: string, body: unknown): string[] {
    const key = `#${name}`;
    let v = this.cache.get(key);
    if (!v) {
      v = this.ajv.compile({ $ref: `openapi#/components/schemas/${name}` });
      this.cache.set(key, v);
    }
    if (typeof v === 'string') return [v];
    if (v(body)) return [];
    return (v.errors ?? []).map((e) => `${e.instancePath || '(body)'} ${e.message ?? 'is invalid'}`);
  }
}
