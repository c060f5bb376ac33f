# Reads a bioimage.io package the way a Python consumer would, with numpy, PyYAML and zipfile only
# (no seglens code): parses rdf.yaml, checks every referenced file's sha256, loads the test tensors
# with numpy.load, applies the input preprocessing the rdf lists (ensure_dtype, scale_range with
# numpy.percentile, scale_linear, clip) and saves the result as preprocessed.npy for the ONNX run.
# Prints one JSON document. Usage: python3 bioimageio_check.py PACKAGE(.zip or folder) WORKDIR
import hashlib, json, os, sys, zipfile
import numpy as np
import yaml

pkg, work = sys.argv[1], sys.argv[2]
if pkg.endswith('.zip'):
    with zipfile.ZipFile(pkg) as z:
        bad = z.testzip()
        if bad is not None:
            raise SystemExit(f'bad CRC in {bad}')
        z.extractall(work)
    root = work
else:
    root = pkg

with open(os.path.join(root, 'rdf.yaml')) as f:
    rdf = yaml.safe_load(f)

def sha(p):
    with open(os.path.join(root, p), 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()

checked = {}
def check(ref):
    assert sha(ref['source']) == ref['sha256'], ref['source']
    checked[ref['source']] = True

inp, out = rdf['inputs'][0], rdf['outputs'][0]
check(inp['test_tensor']); check(inp['sample_tensor']); check(out['test_tensor'])
for w in rdf['weights'].values():
    check(w)

x = np.load(os.path.join(root, inp['test_tensor']['source']))
y = np.load(os.path.join(root, out['test_tensor']['source']))
axes = [a.get('id', a['type']) for a in inp['axes']]
for step in inp['preprocessing']:
    k = step.get('kwargs', {})
    if step['id'] == 'ensure_dtype':
        x = x.astype(k['dtype'])
    elif step['id'] == 'scale_range':
        red = tuple(axes.index(a) for a in k['axes'])
        lo = np.percentile(x, k['min_percentile'], axis=red, keepdims=True)
        hi = np.percentile(x, k['max_percentile'], axis=red, keepdims=True)
        x = ((x - lo) / (hi - lo + k['eps'])).astype(np.float32)
    elif step['id'] == 'scale_linear':
        x = (x * k['gain'] + k['offset']).astype(np.float32)
    elif step['id'] == 'clip':
        x = np.clip(x, k['min'], k['max']).astype(np.float32)
    else:
        raise SystemExit('unknown preprocessing ' + step['id'])
np.save(os.path.join(work, 'preprocessed.npy'), x.astype(np.float32))
print(json.dumps({
    'root': root,
    'format_version': rdf['format_version'],
    'type': rdf['type'],
    'checked': sorted(checked),
    'input': {'shape': list(np.load(os.path.join(root, inp['test_tensor']['source'])).shape), 'dtype': str(np.load(os.path.join(root, inp['test_tensor']['source'])).dtype)},
    'output': {'shape': list(y.shape), 'dtype': str(y.dtype), 'channel_sum_min': float(y.sum(axis=1).min()), 'channel_sum_max': float(y.sum(axis=1).max())},
    'preprocessed': {'min': float(x.min()), 'max': float(x.max())},
    'channel_names': next(a for a in out['axes'] if a['type'] == 'channel')['channel_names'],
    'opset': rdf['weights']['onnx']['opset_version'],
    'documentation': rdf['documentation'],
    'covers': rdf['covers'],
    'seglens': rdf['config']['seglens'],
}))
