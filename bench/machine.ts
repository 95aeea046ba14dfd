/**
 * What machine a benchmark ran on, for its record: speed figures from a Zen 3 with AVX2 and a Xeon
 * with AVX-512 must never be compared by mistake. Read from Linux's /proc/cpuinfo and sysfs; on
 * other systems the fields it cannot read are null.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';

export interface MachineRecord {
  /** The CPU's model name, as /proc/cpuinfo (or the OS) gives it. */
  cpuModel: string;
  vendor: string | null;
  /** CPU family and model numbers: they tell core generations apart where the name does not ("AMD EPYC"). */
  family: number | null;
  model: number | null;
  logicalCpus: number;
  /** The vector extensions that decide which kernels can run. */
  features: { avx2: boolean; fma: boolean; avx512f: boolean };
  /** Per-core data cache sizes and the shared last level, in bytes, as sysfs reports them for CPU 0. */
  caches: { l1d: number | null; l2: number | null; l3: number | null };
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** "32K", "1024K", "32768K", "2M" as sysfs writes cache sizes, in bytes. */
export function parseCacheSize(text: string): number | null {
  const m = /^\s*(\d+)\s*([KMG]?)/i.exec(text);
  if (!m) return null;
  const scale = { '': 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30 }[m[2].toUpperCase() as '' | 'K' | 'M' | 'G'];
  return Number(m[1]) * scale;
}

/** The first processor's fields of a /proc/cpuinfo text, by name. */
export function parseCpuinfo(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.trim() === '' && fields.size > 0) break;
    const colon = line.indexOf(':');
    if (colon > 0) fields.set(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  return fields;
}

function cacheSizes(): MachineRecord['caches'] {
  const caches: MachineRecord['caches'] = { l1d: null, l2: null, l3: null };
  const root = '/sys/devices/system/cpu/cpu0/cache';
  let entries: string[];
  try {
    entries = readdirSync(root).filter((e) => e.startsWith('index'));
  } catch {
    return caches;
  }
  for (const e of entries) {
    const level = readText(`${root}/${e}/level`)?.trim();
    const type = readText(`${root}/${e}/type`)?.trim();
    const size = readText(`${root}/${e}/size`);
    if (!size) continue;
    if (level === '1' && type === 'Data') caches.l1d = parseCacheSize(size);
    else if (level === '2') caches.l2 = parseCacheSize(size);
    else if (level === '3') caches.l3 = parseCacheSize(size);
  }
  return caches;
}

export function describeMachine(): MachineRecord {
  const info = parseCpuinfo(readText('/proc/cpuinfo') ?? '');
  const flags = new Set((info.get('flags') ?? '').split(/\s+/));
  const number = (key: string): number | null => (info.has(key) ? Number(info.get(key)) : null);
  return {
    cpuModel: info.get('model name') ?? cpus()[0]?.model ?? 'unknown',
    vendor: info.get('vendor_id') ?? null,
    family: number('cpu family'),
    model: number('model'),
    logicalCpus: cpus().length,
    features: { avx2: flags.has('avx2'), fma: flags.has('fma'), avx512f: flags.has('avx512f') },
    caches: cacheSizes(),
  };
}

/** One line for a human: "AMD EPYC (family 25, model 1), 2 CPUs, AVX2+FMA; L1d 32 KiB, L2 512 KiB, L3 32 MiB". */
export function machineLine(m: MachineRecord): string {
  const kib = (b: number | null): string => (b === null ? '?' : b >= 2 ** 20 ? `${b / 2 ** 20} MiB` : `${b / 2 ** 10} KiB`);
  const isa = m.features.avx512f ? 'AVX-512' : m.features.avx2 ? `AVX2${m.features.fma ? '+FMA' : ''}` : 'no AVX2';
  const generation = m.family === null ? '' : ` (family ${m.family}, model ${m.model})`;
  return `${m.cpuModel}${generation}, ${m.logicalCpus} CPUs, ${isa}; L1d ${kib(m.caches.l1d)}, L2 ${kib(m.caches.l2)}, L3 ${kib(m.caches.l3)}`;
}
