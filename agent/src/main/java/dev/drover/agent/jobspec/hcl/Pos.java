package dev.drover.agent.jobspec.hcl;

import java.util.Comparator;
import java.util.Objects;

/**
 * A position in a source file. Lines and columns are 1-based; columns count Unicode code points,
 * so a tab or an emoji is one column.
 */
public record Pos(String file, int line, int col) implements Comparable<Pos> {

    private static final Comparator<Pos> ORDER =
            Comparator.comparing(Pos::file).thenComparingInt(Pos::line).thenComparingInt(Pos::col);

    public Pos {
        Objects.requireNonNull(file, "file");
        if (line < 1 || col < 1) {
            throw new IllegalArgumentException("line and col are 1-based, got " + line + ":" + col);
        }
    }

    /** {@code line:col} without the file name, for messages that point elsewhere in the same file. */
    public String lineCol() {
        return line + ":" + col;
    }

    @Override
    public int compareTo(Pos other) {
        return ORDER.compare(this, other);
    }

    /** {@code file:line:col}, the prefix every diagnostic starts with. */
    @Override
    public String toString() {
        return file + ":" + line + ":" + col;
    }
}
