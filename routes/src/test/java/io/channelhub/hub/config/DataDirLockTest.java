package io.channelhub.hub.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DataDirLockTest {

    @TempDir
    Path dataDir;

    @Test
    void aSecondHubOnTheSameDataDirectoryIsToldWhoHoldsItUntilTheFirstLetsGo() throws Exception {
        DataDirLock first = new DataDirLock();
        first.acquire(dataDir.resolve("data"));

        assertThatThrownBy(() -> new DataDirLock().acquire(dataDir.resolve("data")))
                .isInstanceOf(DataDirLock.DataDirInUseException.class)
                .hasMessageContaining("hub.data-dir " + dataDir.resolve("data").toAbsolutePath() + " is in use by another hub (process ")
                .hasMessageContaining("HUB_DATA_DIR");
        DataDirLock elsewhere = new DataDirLock();
        elsewhere.acquire(dataDir.resolve("other"));

        first.destroy();
        DataDirLock next = new DataDirLock();
        next.acquire(dataDir.resolve("data"));
        next.destroy();
        elsewhere.destroy();
        assertThat(dataDir.resolve("data").resolve(DataDirLock.LOCK_FILE)).exists();
    }
}
