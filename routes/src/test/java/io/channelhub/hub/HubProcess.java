package io.channelhub.hub;

import io.channelhub.connectors.ebay.EbaySandbox;
import io.channelhub.connectors.salesforce.SalesforceSandbox;
import io.channelhub.connectors.tryton.TrytonSandbox;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;

/**
 * The hub in a JVM of its own, for what only a process has: a hard kill, the JVM's shut-down hooks, a stop by signal.
 * It runs the test classpath's hub on the given port and data directory, and appends its output to a log file.
 */
final class HubProcess {

    static final String SHOP_SECRET = "process-test-secret";
    /** The eBay sandbox's credentials, as {@link #writeEbayChannel} names them. */
    static final Map<String, String> EBAY_ENVIRONMENT = Map.of("EBAY_DE_CLIENT_ID", "ebay-client",
            "EBAY_DE_CLIENT_SECRET", "ebay-secret", "EBAY_DE_REFRESH_TOKEN", "ebay-refresh");
    private static final String OPS_PASSWORD = "ops-password";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

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

    /** The ERP's sandbox (not started yet: a test adds its products first), with the password the hub is given. */
    static TrytonSandbox erpSandbox() {
        return new TrytonSandbox(0, "erp-password");
    }

    /** The CRM's sandbox, started, with the credentials the hub is given. */
    static SalesforceSandbox startedCrmSandbox() {
        SalesforceSandbox crm = new SalesforceSandbox(0, "client", "client-secret", "hub@example.com", "sf-password");
        crm.start();
        return crm;
    }

    /** eBay's sandbox (not started yet: a test lists its SKUs first), with the credentials of {@link #EBAY_ENVIRONMENT}. */
    static EbaySandbox ebaySandbox() {
        return new EbaySandbox(0, "ebay-client", "ebay-secret", "ebay-refresh");
    }

    /**
     * The environment the order partners of {@link #writeOrderPartners} and the ops login need; a test adds its
     * channels' secrets.
     */
    static Map<String, String> orderPartnerEnvironment() {
        return new HashMap<>(Map.of(
                "SHOP_MAIN_WEBHOOK_SECRET", SHOP_SECRET,
                "ERP_TRYTON_PASSWORD", "erp-password",
                "CRM_SF_CLIENT_ID", "client",
                "CRM_SF_CLIENT_SECRET", "client-secret",
                "CRM_SF_USERNAME", "hub@example.com",
                "CRM_SF_PASSWORD", "sf-password",
                "HUB_OPS_PASSWORD", OPS_PASSWORD));
    }

    /**
     * The shop, ERP and CRM every hub needs, the ERP and CRM at the sandboxes' URLs (started with the credentials of
     * {@link #orderPartnerEnvironment}); {@code erpSettings}: further lines of the ERP's {@code tryton} section.
     */
    static Path writeOrderPartners(Path partners, String shopDomain, String erpUrl, String crmUrl, String... erpSettings)
            throws IOException {
        Files.createDirectories(partners);
        Files.writeString(partners.resolve("shop-main.yaml"), """
                id: shop-main
                connector: shopify
                shopify:
                  shop-domain: %s
                  webhook-secret-env: SHOP_MAIN_WEBHOOK_SECRET
                """.formatted(shopDomain));
        StringBuilder erp = new StringBuilder("""
                id: erp
                connector: tryton
                tryton:
                  url: %s
                  database: erp
                  user: admin
                  password-env: ERP_TRYTON_PASSWORD
                """.formatted(erpUrl));
        for (String setting : erpSettings) {
            erp.append("  ").append(setting).append('\n');
        }
        Files.writeString(partners.resolve("erp.yaml"), erp);
        Files.writeString(partners.resolve("crm.yaml"), """
                id: crm
                connector: salesforce
                salesforce:
                  login-url: %s
                  api-version: "62.0"
                  client-id-env: CRM_SF_CLIENT_ID
                  client-secret-env: CRM_SF_CLIENT_SECRET
                  username-env: CRM_SF_USERNAME
                  password-env: CRM_SF_PASSWORD
                """.formatted(crmUrl));
        return partners;
    }

    /**
     * eBay at its sandbox's URLs as a channel with these rules ({@code channel:} section lines, indented by two), the
     * credentials of {@link #EBAY_ENVIRONMENT}.
     */
    static void writeEbayChannel(Path partners, String apiUrl, String tokenUrl, String channelRules) throws IOException {
        Files.writeString(partners.resolve("ebay-de.yaml"), """
                id: ebay-de
                connector: ebay
                ebay:
                  url: %s
                  token-url: %s
                  marketplace-id: EBAY_DE
                  client-id-env: EBAY_DE_CLIENT_ID
                  client-secret-env: EBAY_DE_CLIENT_SECRET
                  refresh-token-env: EBAY_DE_REFRESH_TOKEN
                channel:
                """.formatted(apiUrl, tokenUrl) + channelRules);
    }

    /** A GET on the hub's ops API with the ops login of {@link #orderPartnerEnvironment}. */
    static HttpResponse<String> ops(int port, String path) throws IOException, InterruptedException {
        String login = Base64.getEncoder().encodeToString(("ops:" + OPS_PASSWORD).getBytes(StandardCharsets.UTF_8));
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Basic " + login).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Waits until the hub answers healthy; fails at once when its process has exited. */
    static void awaitHealthy(Process hub, int port) {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                .failFast("the hub process exited (its log: hub.log in its data directory)", () -> !hub.isAlive())
                .until(() -> HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health"))
                        .build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
    }
}
