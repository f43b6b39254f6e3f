#!/usr/bin/env python3
"""Checks a rendered report.html (no third-party packages): the metrics cells of the DOM Chromium
dumped equal metrics.json, every embedded PNG figure decodes to a non-blank image, every inline
SVG figure has drawing elements and <text>, and the screenshot of the page (or, with one
argument, of a figure alone) is not blank.
Usage: check_report.py DOM.html metrics.json SHOT.png | check_report.py --shot SHOT.png"""
import base64, html, json, re, struct, sys, zlib


def png_pixels(data):
    """Decodes an 8-bit, non-interlaced grey/RGB/RGBA PNG: (width, height, channels, rows)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, ihdr = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    w, h, depth, color, _, _, interlace = ihdr
    assert depth == 8 and interlace == 0, "only 8-bit non-interlaced PNGs"
    ch = {0: 1, 2: 3, 4: 2, 6: 4}[color]
    raw, stride, rows, prev = zlib.decompress(idat), w * ch, [], bytearray(w * ch)
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - ch] if i >= ch else 0
            b, c = prev[i], prev[i - ch] if i >= ch else 0
            if f == 1: line[i] = (line[i] + a) & 255
            elif f == 2: line[i] = (line[i] + b) & 255
            elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        prev = line
    return w, h, ch, rows


def distinct_colours(png, limit=4096):
    w, h, ch, rows = png_pixels(png)
    seen = set()
    for line in rows[:: max(1, h // 200)]:
        for x in range(0, w * ch, ch * max(1, w // 200)):
            seen.add(bytes(line[x:x + min(ch, 3)]))
            if len(seen) >= limit:
                return len(seen)
    return len(seen)


def main(dom_path, metrics_path, shot_path):
    dom = open(dom_path, encoding="utf-8").read()
    metrics = json.load(open(metrics_path))
    cells = {k: html.unescape(v) for k, v in re.findall(r'data-metric="([^"]+)">([^<]*)</td>', dom)}
    scalars = {k: v for k, v in metrics.items() if not isinstance(v, (dict, list))}
    assert scalars, "metrics.json has no scalar metrics"
    assert set(cells) == set(scalars), f"metric names differ: page {sorted(cells)} json {sorted(scalars)}"
    for k, v in scalars.items():
        shown = cells[k]
        ok = (float(shown) == float(v)) if isinstance(v, (int, float)) and not isinstance(v, bool) else shown == json.dumps(v).strip('"') or shown == str(v).lower()
        assert ok, f"metric {k}: page shows {shown!r}, metrics.json has {v!r}"
    figures = re.findall(r'<img[^>]*src="data:image/png;base64,([^"]+)"', dom)
    svgs = re.findall(r'<figure id="fig-[^"]+\.svg"><svg\b.*?</svg>', dom, re.S)
    assert figures or svgs, "the page shows no figure"
    for i, b64 in enumerate(figures):
        n = distinct_colours(base64.b64decode(b64))
        assert n >= 3, f"figure {i} is blank ({n} colours)"
    for i, svg in enumerate(svgs):
        texts = [t for t in re.findall(r"<text\b[^>]*>([^<]*)</text>", svg) if t.strip()]
        shapes = len(re.findall(r"<(polyline|line|rect|circle|polygon|path)\b", svg))
        assert texts and shapes >= 10, f"SVG figure {i}: {len(texts)} texts, {shapes} shapes"
    n = distinct_colours(open(shot_path, "rb").read())
    assert n >= 8, f"the screenshot is blank ({n} colours)"
    print(f"check_report: {len(cells)} metrics equal metrics.json, {len(figures)} PNG and {len(svgs)} SVG figures non-blank, screenshot has {n}+ colours")


def shot(shot_path):
    n = distinct_colours(open(shot_path, "rb").read())
    assert n >= 8, f"the screenshot of the figure is blank ({n} colours)"
    print(f"check_report: the figure rendered alone has {n}+ colours")


if __name__ == "__main__":
    if sys.argv[1] == "--shot":
        shot(sys.argv[2])
    else:
        main(*sys.argv[1:4])
