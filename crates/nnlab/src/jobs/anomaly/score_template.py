#!/usr/bin/env python3
"""Score images with an nnlab anomaly detector exported to PyTorch (`nnlab anomaly export`).

Detector: @DESCRIPTION@
Score: reconstruction error s(x) = sum over pixels of (x - D(E(x)))^2, pixels x = byte / 255.
An image is flagged anomalous iff s(x) > THRESHOLD (validation mean + @SIGMAS@ x std).

Usage: python score.py IMAGES-idx3-ubyte[.gz] [--csv scores.csv]
Needs torch and safetensors (pip install torch safetensors).
"""
import argparse
import gzip
import os
import struct
import sys

import torch
from safetensors.torch import load_file
from torch import nn

THRESHOLD = @THRESHOLD@
ROWS, COLS = @ROWS@, @COLS@


def network(weights):
    """The detector's autoencoder D(E(x)) on flattened images [batch, ROWS * COLS]."""
    net = nn.Sequential(
@LAYERS@
    )
    net.load_state_dict(load_file(weights))
    return net.eval()


def read_images(path):
    """The images of an IDX file (gzip or plain) as float32 [n, ROWS * COLS], byte / 255."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    if len(data) < 4 or data[:3] != b"\x00\x00\x08":
        sys.exit(f"{path}: not an IDX file of unsigned bytes")
    ndim = data[3]
    start = 4 + 4 * ndim
    dims = struct.unpack(f">{ndim}I", data[4:start])
    if ndim != 3 or dims[1:] != (ROWS, COLS):
        sys.exit(f"{path}: images of shape {dims}, the detector takes [n, {ROWS}, {COLS}]")
    if len(data) - start != dims[0] * ROWS * COLS:
        sys.exit(f"{path}: {len(data) - start} pixel bytes, the header says {dims}")
    pixels = torch.frombuffer(bytearray(data[start:]), dtype=torch.uint8)
    return pixels.reshape(dims[0], ROWS * COLS).to(torch.float32) / 255.0


def scores(net, x, batch=1000):
    """s(x) = sum over pixels of (x - D(E(x)))^2 for every image, in float32."""
    with torch.no_grad():
        return torch.cat([((net(b) - b) ** 2).sum(dim=1) for b in x.split(batch)])


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("images", help="IDX file of images, e.g. t10k-images-idx3-ubyte.gz")
    p.add_argument("--csv", help="write index,score,flagged per image to this file")
    p.add_argument("--weights", default=os.path.join(here, "model.safetensors"))
    args = p.parse_args()
    s = scores(network(args.weights), read_images(args.images))
    flagged = s.double() > THRESHOLD  # compare in double, as nnlab does
    n, k = len(s), int(flagged.sum())
    print(f"images      {n} ({args.images})")
    print(f"threshold   {THRESHOLD}")
    print(f"flagged     {k} of {n} ({100 * k / max(n, 1):.2f}%); mean score {s.double().mean():.3f}")
    if args.csv:
        with open(args.csv, "w") as f:
            f.write("index,score,flagged\n")
            for i, (v, a) in enumerate(zip(s.tolist(), flagged.tolist())):
                f.write(f"{i},{v:.9g},{int(a)}\n")
        print(f"scores      {args.csv}")


if __name__ == "__main__":
    main()
