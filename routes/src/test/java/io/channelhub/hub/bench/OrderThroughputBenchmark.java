package io.channelhub.hub.bench;

import io.channelhub.connectors.salesforce.SalesforceSandbox;
import io.channelhub.connectors.shopify.ShopifyOrderFactory;
import io.channelhub.connectors.shopify.ShopifyWebhookSender;
import io.channelhub.connectors.tryton.TrytonSandbox;
import io.channelhub.hub.ChannelHubApplication;
import io.channelhub.hub.HubTestSupport;
import io.channelhub.hub.sandbox.SandboxLauncher;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Orders per second through the hub on its embedded defaults (persistent embedded Artemis, H2 on disk, sandbox
 * ERP and CRM), measured end to end: from the webhook POST until the sale is confirmed in the ERP sandbox and the
 * order committed in the Salesforce sandbox. Also start-up time and memory at idle. Prints a table.
 *
 * <pre>./mvnw -B -q -pl routes -am test-compile exec:java -Dexec.mainClass=io.channelhub.hub.bench.OrderThroughputBenchmark -Dexec.classpathScope=test</pre>
 * Options: {@code -Dorders=2000 -Dsenders=8}.
 */
public final class OrderThroughputBenchmark {

    private static final String SECRET = "bench-secret";

    private OrderThroughputBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int orders = Integer.getInteger("orders", 2000);
        int senders = Integer.getInteger("senders", 8);
        Path dataDir = Files.createTempDirectory("hub-bench");
        Path partners = dataDir.resolve("partners");
        HubTestSupport.writePartners(partners);
        System.setProperty("SHOP_MAIN_WEBHOOK_SECRET", SECRET);
        System.setProperty("HUB_OPS_PASSWORD", "bench-ops");

        long startNanos = System.nanoTime();
        ConfigurableApplicationContext hub = SpringApplication.run(ChannelHubApplication.class,
                "--server.port=0", "--hub.data-dir=" + dataDir, "--hub.partners-dir=" + partners,
                "--hub.sandbox.shop-traffic.enabled=false", "--logging.level.root=WARN",
                "--logging.level.io.channelhub=WARN", "--logging.level.sandbox-shop=WARN");
        double startupSeconds = (System.nanoTime() - startNanos) / 1e9;
        int port = Integer.parseInt(hub.getEnvironment().getProperty("local.server.port"));
        SandboxLauncher sandboxes = hub.getBean(SandboxLauncher.class);
        TrytonSandbox erp = sandboxes.tryton("erp");
        SalesforceSandbox crm = sandboxes.salesforce("crm");

        Thread.sleep(5000);
        Memory idle = Memory.now();

        ShopifyWebhookSender shop = new ShopifyWebhookSender("http://127.0.0.1:" + port + "/webhooks/shopify/shop-main", "bench");
        long firstId = System.currentTimeMillis() % 1_000_000L * 10_000;
        run(shop, erp, crm, firstId, 200, senders);
        Result result = run(shop, erp, crm, firstId + 1000, orders, senders);
        Memory loaded = Memory.now();

        System.out.println();
        System.out.println("ChannelHub order flow benchmark (embedded defaults, sandbox partners, "
                + Runtime.getRuntime().availableProcessors() + " cores)");
        System.out.printf("%-52s %14s%n", "figure", "value");
        System.out.printf("%-52s %14.1f%n", "hub start-up, s", startupSeconds);
        System.out.printf("%-52s %14.0f%n", "heap used at idle after GC, MiB", idle.heapMib);
        System.out.printf("%-52s %14.0f%n", "RSS at idle, MiB", idle.rssMib);
        System.out.printf("%-52s %14d%n", "orders (" + senders + " concurrent senders)", orders);
        System.out.printf("%-52s %14.1f%n", "end-to-end throughput (ERP + CRM done), orders/s", result.ordersPerSecond);
        System.out.printf("%-52s %14.1f%n", "webhook acknowledged (durable), p50 ms", result.ackP50);
        System.out.printf("%-52s %14.1f%n", "webhook acknowledged (durable), p99 ms", result.ackP99);
        System.out.printf("%-52s %14.1f%n", "webhook → ERP sale confirmed, p50 ms", result.erpP50);
        System.out.printf("%-52s %14.1f%n", "webhook → ERP sale confirmed, p99 ms", result.erpP99);
        System.out.printf("%-52s %14.1f%n", "webhook → Salesforce order committed, p50 ms", result.crmP50);
        System.out.printf("%-52s %14.1f%n", "webhook → Salesforce order committed, p99 ms", result.crmP99);
        System.out.printf("%-52s %14.0f%n", "heap used after the run (after GC), MiB", loaded.heapMib);
        System.out.printf("%-52s %14.0f%n", "RSS after the run, MiB", loaded.rssMib);
        hub.close();
        System.exit(0);
    }

    private static Result run(ShopifyWebhookSender shop, TrytonSandbox erp, SalesforceSandbox crm, long firstId,
                              int orders, int senders) throws Exception {
        Map<Long, Long> sentAt = new ConcurrentHashMap<>();
        List<Double> ackMillis = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(senders);
        long begin = System.nanoTime();
        for (int i = 0; i < orders; i++) {
            long orderId = firstId + i;
            pool.submit(() -> {
                byte[] body = ShopifyOrderFactory.order(orderId, "bench" + orderId + "@example.com", "Bench", "Buyer",
                        List.of(new ShopifyOrderFactory.Item("MUG-BLUE", "Mug", 1, "9.90")));
                long sent = System.nanoTime();
                sentAt.put(orderId, sent);
                int status = shop.deliver(ShopifyWebhookSender.Delivery.signed(body, SECRET)).statusCode();
                ackMillis.add((System.nanoTime() - sent) / 1e6);
                if (status != 200) {
                    throw new IllegalStateException("order " + orderId + " answered " + status);
                }
                return null;
            });
        }
        pool.shutdown();
        pool.awaitTermination(10, TimeUnit.MINUTES);
        List<Double> erpMillis = new ArrayList<>();
        List<Double> crmMillis = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        long last = 0;
        for (long orderId = firstId; orderId < firstId + orders; orderId++) {
            String reference = "SHOPIFY-SHOP-MAIN-" + orderId;
            Long confirmed;
            Long committed;
            while ((confirmed = erp.confirmedAtNanos(reference)) == null | (committed = crm.committedAtNanos(reference)) == null) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("order " + orderId + " did not arrive within 10 minutes");
                }
                Thread.sleep(5);
            }
            erpMillis.add((confirmed - sentAt.get(orderId)) / 1e6);
            crmMillis.add((committed - sentAt.get(orderId)) / 1e6);
            last = Math.max(last, Math.max(confirmed, committed));
        }
        double seconds = (last - begin) / 1e9;
        return new Result(orders / seconds, percentile(ackMillis, 50), percentile(ackMillis, 99),
                percentile(erpMillis, 50), percentile(erpMillis, 99), percentile(crmMillis, 50), percentile(crmMillis, 99));
    }

    private static double percentile(List<Double> values, int percentile) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(percentile / 100.0 * sorted.size()) - 1));
    }

    private record Result(double ordersPerSecond, double ackP50, double ackP99, double erpP50, double erpP99,
                          double crmP50, double crmP99) {
    }

    private record Memory(double heapMib, double rssMib) {
        static Memory now() throws Exception {
            System.gc();
            Thread.sleep(500);
            double heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1048576.0;
            double rss = 0;
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
                }
            }
            return new Memory(heap, rss);
        }
    }
}
