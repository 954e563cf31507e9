# Usage: python3 bench/wasm_split.py target/wasm32-unknown-unknown/wasm-release/pipelab.wasm  (the module cargo writes,
# before wasm-bindgen strips its name section). Issue 18: the lazily loaded bytes per reader.
# Attributes a wasm module's function-body bytes to groups by (demangled-ish) symbol name.
import sys, gzip, re, collections
data = open(sys.argv[1], 'rb').read()
def leb(b, i):
    r = s = 0
    while True:
        x = b[i]; i += 1; r |= (x & 0x7f) << s; s += 7
        if x < 0x80: return r, i
i = 8; n_imported = 0; bodies = []; names = {}
while i < len(data):
    sid = data[i]; i += 1; size, i = leb(data, i); end = i + size
    if sid == 2:
        cnt, j = leb(data, i)
        for _ in range(cnt):
            l, j = leb(data, j); j += l; l, j = leb(data, j); j += l
            kind = data[j]; j += 1
            if kind == 0: _, j = leb(data, j); n_imported += 1
            elif kind == 1: j += 1; fl = data[j]; j += 1; _, j = leb(data, j); j = leb(data, j)[1] if fl & 1 else j
            elif kind == 2: fl = data[j]; j += 1; _, j = leb(data, j); j = leb(data, j)[1] if fl & 1 else j
            elif kind == 3: j += 2
    elif sid == 10:
        cnt, j = leb(data, i)
        for _ in range(cnt):
            l, j = leb(data, j); bodies.append(data[j:j+l]); j += l
    elif sid == 0:
        l, j = leb(data, i); nm = data[j:j+l].decode(); j += l
        if nm == 'name':
            while j < end:
                sub = data[j]; j += 1; sl, j = leb(data, j); se = j + sl
                if sub == 1:
                    cnt, k = leb(data, j)
                    for _ in range(cnt):
                        idx, k = leb(data, k); l, k = leb(data, k); names[idx] = data[k:k+l].decode('utf-8', 'replace'); k += l
                j = se
    i = end
GROUPS = [('parquet', r'parquet|thrift|ordered_float|half::|twox_hash|seq_macro'), ('snap (snappy)', r'\bsnap::|snap\.\.'),
          ('lz4_flex', r'lz4'), ('flate2/miniz_oxide', r'flate2|miniz|adler|crc32'),
          ('calamine (Excel/ODS)', r'calamine|quick_xml|zip::|encoding_rs|codepage|atoi|chrono'),
          ('pipelab formats::parquet', r'formats(::|\.\.)parquet'), ('pipelab formats::excel', r'formats(::|\.\.)excel'),
          ('pipelab formats::json', r'formats(::|\.\.)json'), ('pipelab formats (shared)', r'formats(::|\.\.)'),
          ('bytes', r'\bbytes(::|\.\.)')]
acc = collections.defaultdict(list); total = 0
for k, b in enumerate(bodies):
    nm = names.get(n_imported + k, '')
    total += len(b)
    g = next((g for g, rx in GROUPS if re.search(rx, nm)), 'other')
    acc[g].append(b)
print(f"module {len(data)} B; code {total} B in {len(bodies)} functions, {len(names)} named")
for g, bs in sorted(acc.items(), key=lambda kv: -sum(map(len, kv[1]))):
    raw = b''.join(bs); print(f"{g:28s} {len(raw):>9,} B raw  {len(gzip.compress(raw, 9)):>9,} B gzip (alone)  {len(bs):>6} fns")
