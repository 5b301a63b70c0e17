package dev.drover.sdk.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TaskIdentityTest {
    @Test
    void theIndexComesFromTheAllocationNameAsNomadReadsIt() {
        assertEquals(3, TaskIdentity.indexOf("web.cache[3]"));
        assertEquals(12, TaskIdentity.indexOf("a.b[c].d[12]"));
        assertEquals(0, TaskIdentity.indexOf("web.cache"));
        assertEquals(0, TaskIdentity.indexOf("web.cache[x]"));
        assertEquals(0, TaskIdentity.indexOf(null));
    }

    @Test
    void aTaskConfigCarriesItsIdentity() {
        var c = new TaskConfig("a1/web/0000beef", "prod", "shop", "shop", "cache", "web", "a1", "shop.cache[4]", "",
                Map.of(), new Resources(100, 64, 0), Map.of(), "/tmp/a1", "/dev/null", "/dev/null", List.of());
        var id = c.identity();
        assertEquals(new TaskIdentity("prod", "shop", "cache", "web", "a1", 4), id);
        assertEquals(List.of("prod", "shop", "cache", "web", "a1", "4"), List.of(id.labelValues()));
        assertEquals(TaskIdentity.LABEL_NAMES.size(), id.labelValues().length);
        assertEquals("a1/web", id.key());
    }

    @Test
    void anIdentityNeedsATaskAndAnAllocation() {
        assertThrows(IllegalArgumentException.class, () -> new TaskIdentity("default", "j", "g", "", "a1", 0));
        assertThrows(IllegalArgumentException.class, () -> new TaskIdentity("default", "j", "g", "t", null, 0));
        assertThrows(IllegalArgumentException.class, () -> new TaskIdentity("default", "j", "g", "t", "a1", -1));
    }
}
