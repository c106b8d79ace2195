package io.channelhub.hub.config;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * One hub per data directory. A second hub started on the same {@code hub.data-dir} (the run command twice, two
 * containers on one volume) found the broker's journal locked and waited for it without end, saying only that it was
 * waiting for a lock. This lock is taken before any bean is made, so the second hub stops at once and says which
 * process holds the directory. The operating system releases it when the holder's process ends, however it ends.
 */
@Component
public class DataDirLock implements BeanFactoryPostProcessor, EnvironmentAware, DisposableBean {

    static final String LOCK_FILE = "hub.lock";

    private Environment environment;
    private FileChannel channel;
    private FileLock lock;

    @Override
    public void setEnvironment(Environment environment) {
        this.environment = environment;
    }

    @Override
    public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {
        acquire(Path.of(environment.getRequiredProperty("hub.data-dir")));
    }

    /** @throws DataDirInUseException when another hub holds the directory */
    void acquire(Path dataDir) {
        Path file = dataDir.resolve(LOCK_FILE);
        try {
            Files.createDirectories(dataDir);
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException heldInThisJvm) {
                lock = null;
            }
            if (lock == null) {
                String holder = Files.readString(file, StandardCharsets.UTF_8).strip();
                channel.close();
                throw new DataDirInUseException(dataDir, holder.isEmpty() ? "another process" : holder);
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(("process " + ManagementFactory.getRuntimeMXBean().getName() + " since "
                    + Instant.now()).getBytes(StandardCharsets.UTF_8)));
            channel.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock hub.data-dir " + dataDir.toAbsolutePath() + " (" + file + ")", e);
        }
    }

    @Override
    public void destroy() throws IOException {
        if (lock != null) {
            lock.release();
            channel.close();
            lock = null;
        }
    }

    /** The data directory another hub holds. */
    public static class DataDirInUseException extends IllegalStateException {

        DataDirInUseException(Path dataDir, String holder) {
            super("hub.data-dir " + dataDir.toAbsolutePath().normalize() + " is in use by another hub (" + holder
                    + "): its broker journal and database are that hub's. Stop it, or give this hub a data directory of "
                    + "its own (hub.data-dir, HUB_DATA_DIR).");
        }
    }
}
