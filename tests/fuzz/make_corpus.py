#!/usr/bin/python3
"""tests/fuzz/make_corpus.py OUT_DIR - seed inputs for the fuzz targets:
small valid files of each format (and a few near misses), one folder per
target; the YAML seeds are the project's own models and some of
tests/bad/.  Its output is committed as tests/fuzz/corpus/ (run
`tests/fuzz/make_corpus.py tests/fuzz/corpus` again when a format changes).
"""
import glob, gzip, json, os, shutil, struct, sys, zlib

out = sys.argv[1]


def put(target, name, data):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def png(w, h, color, depth, rows):
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
    raw = b"".join(b"\x01" + r for r in rows)   # filter 1 (sub) on every row
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, color, 0, 0, 0))
            + (chunk(b"PLTE", bytes(range(12))) if color == 3 else b"")
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


spp = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
for color in spp:
    for depth in ((8,) if color == 3 else (8, 16)):
        w, h = 5, 3
        row = bytes(((i * 7) % (4 if color == 3 else 256)) for i in range(w * spp[color] * depth // 8))
        put("png", "c%d_d%d.png" % (color, depth), png(w, h, color, depth, [row] * h))


def safetensors(tensors, meta=None):
    header, data = {}, b""
    if meta:
        header["__metadata__"] = meta
    for name, (dtype, shape, raw) in tensors.items():
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    return struct.pack("<Q", len(h)) + h + data


f32 = lambda xs: struct.pack("<%df" % len(xs), *xs)
put("safetensors", "two.safetensors", safetensors(
    {"generator.fc.weight": ("F32", [2, 3], f32(range(6))), "generator.fc.bias": ("F32", [3], f32([0.5] * 3))},
    {"format": "ganc-weights-1", "model": "m"}))
put("safetensors", "scalar_u8.safetensors", safetensors({"s": ("F32", [], f32([1])), "b": ("U8", [4], b"abcd")}))
put("safetensors", "empty.safetensors", safetensors({}))
put("safetensors", "checksummed.safetensors", bytes.fromhex(
    "7800000000000000") + b'{"__metadata__":{"format":"ganc-weights-1","ganc_crc32":"00000000"},'
    b'"t":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}' + b" " * 0 + f32([1]))


def idx(dims, values):
    return bytes([0, 0, 8, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims) + bytes(values)


img = idx([2, 28, 28], [(i * 3) % 256 for i in range(2 * 784)])
put("idx", "images.idx", img)
put("idx", "images.idx.gz", gzip.compress(img))
put("idx", "labels.idx", idx([5], [1, 2, 3, 4, 5]))
put("idx", "wrong_size.idx", idx([1, 4, 4], range(16)))
# gzip checked to its end (runtime/data/rt_gz.c): a trailer cut short, bytes
# after it, two members in a row (mtime 0: the same bytes every time)
gz = gzip.compress(img, mtime=0)
put("idx", "cut_trailer.idx.gz", gz[:-3])
put("idx", "trailing_bytes.idx.gz", gz + b"junk")
put("idx", "two_members.idx.gz", gzip.compress(img[:100], mtime=0) + gzip.compress(img[100:], mtime=0))

put("csv", "three.csv", b"1,2,3\n4.5,-6e-1,7\n")
put("csv", "two.csv", b"0.25,1\n-3,4\r\n")
put("csv", "header.csv", b"x,y\n1,2\n")
# text only (runtime/formats/rt_csv.c): a NUL, a byte order mark, Latin-1
put("csv", "nul.csv", b"1,2\n3,\x004\n")
put("csv", "bom.csv", b"\xef\xbb\xbf1,2\n3,4\n")
put("csv", "bom_header.csv", b"\xef\xbb\xbfx,y\n1,2\n")
put("csv", "latin1.csv", b"x,\xe9\n1,2\n")


# inflate: 2 bytes of room (little-endian), then a zlib stream of every
# block type (stored, fixed, dynamic; several blocks), of text and of
# repeats, with the room it needs, and a byte less
def deflated(raw, level, strategy=zlib.Z_DEFAULT_STRATEGY, flush_every=0):
    c = zlib.compressobj(level, zlib.DEFLATED, 15, 9, strategy)
    z = b""
    for i in range(0, len(raw), flush_every or len(raw) or 1):
        z += c.compress(raw[i:i + (flush_every or len(raw))])
        if flush_every:
            z += c.flush(zlib.Z_FULL_FLUSH)
    return z + c.flush()


text = b"".join(b"line %d of the seed, " % i for i in range(40))
reps = b"abcabcabd" * 60
for name, raw, z in [("stored", text, deflated(text, 0)), ("level1", text, deflated(text, 1)),
                     ("level9", reps, deflated(reps, 9)),
                     ("fixed", text, deflated(text, 9, zlib.Z_FIXED)),
                     ("blocks", text, deflated(text, 6, flush_every=200)),
                     ("empty", b"", deflated(b"", 9))]:
    put("inflate", name + ".bin", struct.pack("<H", len(raw)) + z)
    if raw:
        put("inflate", name + "_long.bin", struct.pack("<H", len(raw) - 1) + z)


def npy(shape, values, descr="<f4"):
    h = "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }" % (
        descr, ", ".join(map(str, shape)) + ("," if len(shape) == 1 else ""))
    h += " " * (-(10 + len(h) + 1) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h.encode() + f32(values)


put("npy", "z.npy", npy([2, 3], range(6)))
put("npy", "v.npy", npy([4], range(4)))
put("npy", "f8.npy", npy([1, 2], [0, 0, 0, 0], "<f8"))
put("npy", "huge_dim.npy", npy([4611686018427387904, 2], []))

os.makedirs(os.path.join(out, "yaml"), exist_ok=True)
for p in sorted(glob.glob("models/*.yaml") + glob.glob("tests/models/*.yaml") +
                glob.glob("tests/resume/*.yaml") + glob.glob("tests/bad/*.yaml")[:12]):
    name = os.path.basename(os.path.dirname(p)) + "_" + os.path.basename(p)
    shutil.copy(p, os.path.join(out, "yaml", name))
