package dev.drover.logmon;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Finds and counts {@code '\n'}. Counting looks at every byte logmon writes, so it goes eight
 * bytes at a time (SWAR: "SIMD within a register") over a {@code long[]}: the plugin JVMs run C1
 * only, which vectorizes nothing, and there this does about 7 GiB/s where a byte loop over a
 * buffer does 0.25 GiB/s (C2 would vectorize a plain loop; docs/performance.md).
 */
final class Newlines {
    private Newlines() {}

    private static final long NL = 0x0A0A0A0A0A0A0A0AL;
    private static final long LOW7 = 0x7F7F7F7F7F7F7F7FL;
    private static final long LANES = 0x00FF00FF00FF00FFL;
    private static final int SCRATCH_WORDS = 512;
    private static final ValueLayout.OfLong WORD = ValueLayout.JAVA_LONG_UNALIGNED;
    /** Scratch arrays for {@link #count(ByteBuffer, int, int)}, shared by the copier threads. */
    private static final ConcurrentLinkedQueue<long[]> SCRATCH = new ConcurrentLinkedQueue<>();

    /**
     * 0x80 in every byte of {@code word} that is a newline, 0 elsewhere. Exact: the sum of the low
     * seven bits cannot carry into the next byte (the classic {@code (x - 0x01..) & ~x} can).
     */
    static long markers(long word) {
        long x = word ^ NL;
        return ~(((x & LOW7) + LOW7) | x | LOW7);
    }

    /** Newlines in {@code words[0, n)}. */
    static long count(long[] words, int n) {
        long count = 0;
        int i = 0;
        while (i + 4 <= n) {
            // Each byte lane of an accumulator adds 0 or 1 per step: 255 steps before it could
            // overflow. Four accumulators, so C1's code does not wait on one add chain.
            int end = Math.min(n - 3, i + 4 * 255);
            long a = 0, b = 0, c = 0, d = 0;
            for (; i < end; i += 4) {
                a += ones(words[i]);
                b += ones(words[i + 1]);
                c += ones(words[i + 2]);
                d += ones(words[i + 3]);
            }
            count += sumLanes(a) + sumLanes(b) + sumLanes(c) + sumLanes(d);
        }
        for (; i < n; i++) count += sumLanes(ones(words[i]));
        return count;
    }

    /** 1 in every byte of {@code word} that is a newline. */
    private static long ones(long word) {
        return markers(word) >>> 7;
    }

    private static long sumLanes(long lanes) {
        long pairs = (lanes & LANES) + ((lanes >>> 8) & LANES);
        return (pairs * 0x0001000100010001L) >>> 48;
    }

    /**
     * Newlines among {@code b[from, to)}; the buffer's position and limit are left alone. The
     * bytes are copied into a small pooled {@code long[]} piece by piece: C1 reads a word from a
     * buffer several times slower than from an array, and a bulk copy costs next to nothing.
     */
    static long count(ByteBuffer b, int from, int to) {
        if (to - from < 64) return countBytes(b, from, to);
        long[] words = SCRATCH.poll();
        if (words == null) words = new long[SCRATCH_WORDS];
        try {
            var segment = MemorySegment.ofBuffer(b.duplicate().clear()); // indexes as in b, whatever its position
            long count = 0;
            for (int at = from; at < to; ) {
                int whole = Math.min((to - at) >>> 3, SCRATCH_WORDS);
                if (whole == 0) return count + countBytes(b, at, to);
                MemorySegment.copy(segment, WORD, at, words, 0, whole);
                count += count(words, whole);
                at += whole * 8;
            }
            return count;
        } finally {
            if (SCRATCH.size() < 4) SCRATCH.offer(words);
        }
    }

    private static long countBytes(ByteBuffer b, int from, int to) {
        long count = 0;
        for (int i = from; i < to; i++) {
            if (b.get(i) == '\n') count++;
        }
        return count;
    }

    static int indexOf(ByteBuffer b, int from, int end) {
        for (int i = from; i < end; i++) {
            if (b.get(i) == '\n') return i;
        }
        return -1;
    }

    static int lastIndexOf(ByteBuffer b, int from, int end) {
        for (int i = end - 1; i >= from; i--) {
            if (b.get(i) == '\n') return i;
        }
        return -1;
    }
}
