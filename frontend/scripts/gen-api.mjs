// Regenerate src/lib/api/schema.ts from the api's OpenAPI schema: `npm run gen:api`.
// `node scripts/gen-api.mjs [OUT]` writes elsewhere. Runs `python -m docmill.api.openapi` (the
// repository's .venv, or $DOCMILL_PYTHON), then openapi-typescript with --enum-values (so the UI's
// option lists come from the schema too). tests/frontend/test_api_types.py runs this script into a
// temporary file and fails when the committed file differs.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const frontend = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repo = resolve(frontend, '..');
const venvPython = join(repo, '.venv', 'bin', 'python');
const python = process.env.DOCMILL_PYTHON ?? (existsSync(venvPython) ? venvPython : 'python3');
const out = resolve(frontend, process.argv[2] ?? 'src/lib/api/schema.ts');
const bin = join(frontend, 'node_modules', '.bin', 'openapi-typescript');

const work = mkdtempSync(join(tmpdir(), 'docmill-openapi-'));
try {
	const schema = join(work, 'openapi.json');
	execFileSync(python, ['-m', 'docmill.api.openapi', schema], { cwd: repo, stdio: 'inherit' });
	execFileSync(bin, [schema, '--enum-values', '-o', out], { cwd: frontend, stdio: ['ignore', 'ignore', 'inherit'] });
	console.log(`wrote ${out}`);
} finally {
	rmSync(work, { recursive: true, force: true });
}
