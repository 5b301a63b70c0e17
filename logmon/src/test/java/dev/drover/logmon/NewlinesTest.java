package dev.drover.logmon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The word-at-a-time scans against a plain byte loop, over every kind of range. */
class NewlinesTest {
    @Test
    void countsAndFindsLikeAByteLoop() {
        var random = new Random(11);
        for (int round = 0; round < 200; round++) {
            byte[] data = new byte[8 + random.nextInt(5000)];
            // Bytes around '\n' (0x0A) and with the high bit set: where a sloppy zero-byte test goes wrong.
            byte[] alphabet = {'\n', 0x0B, 0x09, 0x00, (byte) 0x8A, (byte) 0xFF, 0x01, 'a'};
            int newlineOdds = 1 + random.nextInt(40);
            for (int i = 0; i < data.length; i++) {
                data[i] = random.nextInt(newlineOdds) == 0 ? (byte) '\n' : alphabet[1 + random.nextInt(alphabet.length - 1)];
            }
            long[] words = new long[data.length / 8];
            ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(words);
            assertEquals(count(data, 0, words.length * 8), Newlines.count(words, words.length), "round " + round);
            var direct = ByteBuffer.allocateDirect(data.length).put(data).flip();
            var heap = ByteBuffer.wrap(data);
            for (int k = 0; k < 20; k++) {
                int from = random.nextInt(data.length), to = from + random.nextInt(data.length - from + 1);
                String range = "round " + round + " [" + from + ", " + to + ")";
                assertEquals(count(data, from, to), Newlines.count(direct, from, to), range);
                assertEquals(count(data, from, to), Newlines.count(heap, from, to), range);
                assertEquals(indexOf(data, from, to), Newlines.indexOf(direct, from, to), range);
                assertEquals(lastIndexOf(data, from, to), Newlines.lastIndexOf(direct, from, to), range);
            }
            heap.position(data.length); // a consumed buffer is still counted by index
            assertEquals(count(data, 0, data.length), Newlines.count(heap, 0, data.length));
        }
    }

    private static long count(byte[] b, int from, int to) {
        long n = 0;
        for (int i = from; i < to; i++) if (b[i] == '\n') n++;
        return n;
    }

    private static int indexOf(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) if (b[i] == '\n') return i;
        return -1;
    }

    private static int lastIndexOf(byte[] b, int from, int to) {
        for (int i = to - 1; i >= from; i--) if (b[i] == '\n') return i;
        return -1;
    }
}
