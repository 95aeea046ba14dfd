import { readArrow, writeArrowFile } from './src/data/arrow.ts';
import { openRowReader } from './src/data/row-reader.ts';
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import { writeFileSync } from 'node:fs';
writeArrowFile('/tmp/datain-a.arrow', [{ name: 'a', values: [1, 2, 3] }, { name: 'b', values: [4, 5, 6] }]);
console.log(readArrow('/tmp/datain-a.arrow'));
const t = tableFromArrays({ x: Float64Array.of(1.5, 2.5), y: Int32Array.of(1, 0), s: ['a', 'b'] });
writeFileSync('/tmp/datain-b.arrows', tableToIPC(t, 'stream'));
try { readArrow('/tmp/datain-b.arrows'); } catch (e) { console.log((e as Error).message); }
const t2 = tableFromArrays({ x: Float64Array.of(1.5, 2.5), y: Int32Array.of(1, 0) });
writeFileSync('/tmp/datain-c.arrows', tableToIPC(t2, 'stream'));
console.log(readArrow('/tmp/datain-c.arrows', { labelColumn: 'y' }));
for (const f of ['/tmp/datain-a.arrow', '/tmp/datain-c.arrows']) {
  const r = openRowReader(f); const out = new Float32Array(100);
  const n = r.read(out, 100); console.log(f, n, r.features, out.subarray(0, n * r.features), r.read(out, 10)); r.rewind(); console.log(r.read(out, 1), out[0]);
}
