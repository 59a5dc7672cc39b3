#!/usr/bin/env python3
"""Writes the seed corpora of tests/fuzz (and firmware.bin for tests/unit/test_image_formats.c).

Toolchain outputs of firmware.c (arm-none-eabi-gcc, objcopy) show the fuzzers real files; the hand-made files
below reach the paths real files rarely take: every HEX record type, segment addressing, option bytes, p_vaddr
fallback, program headers after the data, truncation. Run it again after changing firmware.c; the outputs are
committed so that the tests do not need the ARM toolchain.
"""
import os
import struct
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "..", "corpus")


def write(target, name, data):
    os.makedirs(os.path.join(CORPUS, target), exist_ok=True)
    with open(os.path.join(CORPUS, target, name), "wb") as f:
        f.write(data)


def record(rtype, address, data=b""):
    body = bytes([len(data), address >> 8 & 0xFF, address & 0xFF, rtype]) + data
    return ":" + (body + bytes([-sum(body) & 0xFF])).hex().upper() + "\n"


def hex_data(address, data, linear=True):
    out, upper = "", None
    for at in range(0, len(data), 16):
        a = address + at
        if linear and a >> 16 != upper:
            upper = a >> 16
            out += record(4, 0, struct.pack(">H", upper))
        out += record(0, a & 0xFFFF, data[at:at + 16])
    return out


def elf(loads, entry=0x08000001, phoff=52, data_first=False):
    """loads: (vaddr, paddr, data, memsz). Data follows the program headers unless data_first."""
    count = len(loads)
    table_size = 32 * count
    offset = 0x100 if not data_first else 52
    body, headers = b"", b""
    placed = []
    for vaddr, paddr, data, memsz in loads:
        placed.append((offset + len(body), vaddr, paddr, data, memsz))
        body += data + b"\0" * (-len(data) % 4)
    if data_first:
        phoff = offset + len(body)
    for file_offset, vaddr, paddr, data, memsz in placed:
        headers += struct.pack("<8I", 1, file_offset, vaddr, paddr, len(data), memsz, 7, 4)
    ident = b"\x7FELF\x01\x01\x01" + b"\0" * 9
    header = ident + struct.pack("<HHIIIIIHHHHHH", 2, 40, 1, entry, phoff, 0, 0x05000200, 52, 32, count, 40, 0, 0)
    size = max(phoff + table_size, offset + len(body))
    out = bytearray(size)
    out[0:52] = header
    out[phoff:phoff + table_size] = headers
    out[offset:offset + len(body)] = body
    return bytes(out)


def toolchain():
    with tempfile.TemporaryDirectory() as tmp:
        def build(name, *flags):
            path = os.path.join(tmp, name)
            subprocess.run(["arm-none-eabi-gcc", "-mcpu=cortex-m3", "-mthumb", "-Os",
                            "-fno-tree-loop-distribute-patterns", "-nostdlib", "-nostartfiles",
                            "-T", os.path.join(HERE, "firmware.ld"), os.path.join(HERE, "firmware.c"),
                            "-o", path, *flags], check=True)
            subprocess.run(["arm-none-eabi-strip", path], check=True)
            return path

        default = build("firmware.elf")
        compact = build("compact.elf", "-Wl,-z,max-page-size=16")
        for path, name in ((default, "firmware.elf"), (compact, "firmware-compact.elf")):
            with open(path, "rb") as f:
                write("fuzz_image_elf", name, f.read())
        for fmt, name in (("ihex", "firmware.hex"), ("binary", "firmware.bin")):
            out = os.path.join(tmp, name)
            subprocess.run(["arm-none-eabi-objcopy", "-O", fmt, default, out], check=True)
            with open(out, "rb") as f:
                data = f.read()
            if fmt == "ihex":
                write("fuzz_image_hex", name, data)
            else:
                with open(os.path.join(HERE, name), "wb") as f:
                    f.write(data)


def hand_made():
    eof = record(1, 0)
    code = bytes(range(40))
    write("fuzz_image_hex", "all-record-types.hex", (
        record(2, 0, b"\x10\x00") + record(0, 0xFFF8, code[:16]) +
        hex_data(0x08000000, code) + record(3, 0, b"\x12\x34\x56\x78") + record(5, 0, b"\x08\x00\x01\x01") +
        eof).encode())
    write("fuzz_image_hex", "no-linear-address.hex", (record(0, 0x0100, code[:8]) + eof).encode())
    write("fuzz_image_hex", "out-of-order-sparse.hex", (
        hex_data(0x08000400, code[:21]) + hex_data(0x08000000, code[3:36]) + hex_data(0x08000023, code[:7]) +
        hex_data(0x08010000, code[:2]) + eof).encode())
    write("fuzz_image_hex", "option-bytes-and-ram.hex", (
        hex_data(0x08000000, code[:32]) + hex_data(0x1FFFF800, bytes([0xA5, 0x5A, 0xFF, 0x00])) +
        hex_data(0x20000000, code[:12]) + eof).encode())
    write("fuzz_image_hex", "crlf-lowercase-blanks.hex",
          ("\r\n" + hex_data(0x08000000, code[:20]).lower().replace("\n", "  \r\n") + eof.replace("\n", "")).encode())
    write("fuzz_image_hex", "overlap.hex", (hex_data(0x08000000, code) + hex_data(0x08000010, code[:4]) + eof).encode())
    write("fuzz_image_hex", "fragmented.hex",
          ("".join(hex_data(0x08000000 + 0x40 * i, code[i % 30:i % 30 + 2]) for i in range(40)) + eof).encode())
    write("fuzz_image_hex", "interleaved-halves.hex", (
        "".join(hex_data(0x08000000 + 0x100 * i, code[:5]) for i in range(12)) +
        "".join(hex_data(0x08000005 + 0x100 * i, code[5:32]) for i in range(12)) + eof).encode())
    write("fuzz_image_hex", "past-4g.hex", (record(4, 0, b"\xff\xff") + record(0, 0xFFFC, code[:8]) + eof).encode())
    write("fuzz_image_hex", "bad-checksum.hex", (hex_data(0x08000000, code[:16])[:-3] + "00\n" + eof).encode())
    write("fuzz_image_hex", "missing-eof.hex", hex_data(0x08000000, code).encode())

    text, data = bytes(range(64)), bytes(range(100, 116))
    write("fuzz_image_elf", "paddr.elf", elf([(0x08000000, 0x08000000, text, 64),
                                              (0x20000000, 0x08000040, data, 0x200)]))
    write("fuzz_image_elf", "vaddr-fallback.elf", elf([(0x08000000, 0, text, 64), (0x08000100, 0, data, 16)]))
    write("fuzz_image_elf", "ram-lma.elf", elf([(0x08000000, 0x08000000, text, 64),
                                                (0x20000100, 0x20000100, data, 16)]))
    write("fuzz_image_elf", "headers-after-data.elf", elf([(0x08000000, 0x08000000, text, 64)], data_first=True))
    write("fuzz_image_elf", "truncated.elf", elf([(0x08000000, 0x08000000, text, 64)])[:0x120])


if __name__ == "__main__":
    toolchain()
    hand_made()
