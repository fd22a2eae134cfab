import { plainToInstance } from 'class-transformer';
import { ValidationError, validateSync } from 'class-validator';
import { DeclarationDto } from './declaration.dto';
import { forbiddenKeys } from './forbidden-keys';
import { Declaration } from './declaration.model';
import { RejectionReason } from './rejection-reason';

export type StructureResult =
  { ok: true; declaration: Declaration } | { ok: false; reasons: RejectionReason[] };

const CODES: Record<string, string> = {
  whitelistValidation: 'UNKNOWN_FIELD',
  isDefined: 'REQUIRED',
  nestedValidation: 'INVALID_TYPE',
  isArray: 'INVALID_TYPE',
  isBoolean: 'INVALID_TYPE',
  isString: 'INVALID_TYPE',
  isInt: 'INVALID_TYPE',
  isIn: 'INVALID_CODE',
  matches: 'INVALID_FORMAT',
  arrayMinSize: 'TOO_FEW',
  arrayMaxSize: 'TOO_MANY',
  min: 'OUT_OF_RANGE',
  max: 'OUT_OF_RANGE',
  isLength: 'INVALID_LENGTH',
  maxLength: 'INVALID_LENGTH',
};

function childPath(parent: string, property: string): string {
  if (/^\d+$/.test(property)) return `${parent}[${property}]`;
  return parent ? `${parent}.${property}` : property;
}

function flatten(errors: ValidationError[], parent: string, out: RejectionReason[]): void {
  for (const error of errors) {
    const path = childPath(parent, error.property);
    const constraints = error.constraints ?? {};
    // A missing required value fails every constraint; one reason is enough.
    const missing = error.value === undefined || error.value === null;
    const names = Object.keys(constraints);
    if (missing && names.length > 0 && !names.includes('whitelistValidation')) {
      out.push({ code: 'REQUIRED', path, message: `${path} is required` });
    } else {
      for (const name of names) {
        out.push({
          code: CODES[name] ?? `INVALID_${name.toUpperCase()}`,
          path,
          message: constraints[name],
        });
      }
    }
    if (error.children && error.children.length > 0) flatten(error.children, path, out);
  }
}

/**
 * Layer 1 of validation: the shape of the document. Unknown fields are refused, every
 * failure is reported with its JSON path, none is dropped. `__proto__`, `constructor` and
 * `prototype` keys are refused first, at any depth (FORBIDDEN_KEY): the unknown-field
 * check does not see an own `__proto__` property, and nothing else should touch one.
 */
export function validateDeclarationStructure(input: unknown): StructureResult {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return {
      ok: false,
      reasons: [{ code: 'INVALID_TYPE', path: '', message: 'declaration must be a JSON object' }],
    };
  }
  const forbidden = forbiddenKeys(input);
  if (forbidden.length > 0) {
    return {
      ok: false,
      reasons: forbidden.map(({ path, key }) => ({
        code: 'FORBIDDEN_KEY',
        path,
        message: `${path}: a key named ${key} is not allowed in a declaration`,
      })),
    };
  }
  const dto = plainToInstance(DeclarationDto, input, { enableImplicitConversion: false });
  const errors = validateSync(dto, {
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    validationError: { target: false, value: true },
  });
  if (errors.length > 0) {
    const reasons: RejectionReason[] = [];
    flatten(errors, '', reasons);
    return { ok: false, reasons };
  }
  // Keep the document as sent (plain JSON): the event log must carry exactly what was lodged.
  return { ok: true, declaration: input as Declaration };
}
