package io.channelhub.hub;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The hub in a JVM of its own, for what only a process has: a hard kill, the JVM's shut-down hooks, a stop by signal.
 * It runs the test classpath's hub on the given port and data directory, and appends its output to a log file.
 */
final class HubProcess {

    private HubProcess() {
    }

    /** Starts the hub with {@code arguments} after its port and data directory, and {@code environment} added. */
    static Process start(int port, Path dataDir, Path log, Map<String, String> environment, String... arguments)
            throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", System.getProperty("java.class.path"), ChannelHubApplication.class.getName(),
                "--server.port=" + port, "--hub.data-dir=" + dataDir));
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(environment);
        return builder.start();
    }

    /** A port that was free a moment ago. */
    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
