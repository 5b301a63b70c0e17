package dev.drover.logmon;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The rotation rules written the plain way, line by line over the whole output, to check the
 * rotator against: a line no longer than a file is kept whole and starts the next file when it
 * does not fit in a non-empty one; a longer one fills the current file and is split by bytes; the
 * last partial line is written at the end of the stream as a line of its own. With a fifo whose
 * pipe holds less than a file ({@code pipeLimit}), a line longer than the pipe starts the next
 * file (unless the current one is empty) and is split by bytes from there when longer than a file.
 */
final class RotationModel {
    private RotationModel() {}

    /** The contents of the files {@code data} is laid out in, in index order. */
    static List<byte[]> layout(byte[] data, long maxBytes, long pipeLimit) {
        var files = new ArrayList<byte[]>();
        var current = new ByteArrayOutputStream();
        int at = 0;
        while (at < data.length) {
            int newline = at;
            while (newline < data.length && data[newline] != '\n') newline++;
            int end = Math.min(newline + 1, data.length);
            int len = end - at;
            boolean whole = newline < data.length ? len <= maxBytes : len < maxBytes;
            if (pipeLimit < maxBytes && len > pipeLimit) {
                if (current.size() > 0) current = rotate(files, current);
                whole = false;
            }
            if (whole) {
                if (current.size() > 0 && current.size() + len > maxBytes) current = rotate(files, current);
                current.write(data, at, len);
            } else {
                for (int pos = at; pos < end; ) {
                    if (current.size() >= maxBytes) current = rotate(files, current);
                    int n = (int) Math.min(end - pos, maxBytes - current.size());
                    current.write(data, pos, n);
                    pos += n;
                }
            }
            at = end;
        }
        files.add(current.toByteArray());
        return files;
    }

    private static ByteArrayOutputStream rotate(List<byte[]> files, ByteArrayOutputStream current) {
        files.add(current.toByteArray());
        return new ByteArrayOutputStream();
    }
}
