package dev.drover.executor;

/** Keeps the last {@code capacity} bytes written: a check's verdict is at the end of its output. */
final class OutputTail {
    private final byte[] ring;
    private long total;

    OutputTail(int capacity) {
        this.ring = new byte[capacity];
    }

    synchronized void write(byte[] bytes, int offset, int length) {
        if (length >= ring.length) {
            offset += length - ring.length;
            length = ring.length;
        }
        for (int i = 0; i < length; i++) {
            ring[(int) ((total + i) % ring.length)] = bytes[offset + i];
        }
        total += length;
    }

    synchronized byte[] bytes() {
        int size = (int) Math.min(total, ring.length);
        var out = new byte[size];
        int start = (int) ((total - size) % ring.length);
        for (int i = 0; i < size; i++) out[i] = ring[(start + i) % ring.length];
        return out;
    }
}
