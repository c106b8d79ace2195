package io.channelhub.hub;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.nio.file.Path;

/**
 * The hub with every partner a sandbox. Declared once, here: every subclass then has the same context
 * configuration, so they all share one hub (one broker, one journal) instead of starting one each.
 */
public abstract class SandboxHubTest extends HubTestSupport {

    private static final Path SHARED_DATA_DIR = tempDir("hub-test");

    @DynamicPropertySource
    static void sandboxHub(DynamicPropertyRegistry registry) {
        Path partnersDir = SHARED_DATA_DIR.resolve("partners");
        writePartners(partnersDir);
        registerHub(registry, SHARED_DATA_DIR, partnersDir);
        // Two ledger routes (the default is one), so that the suite has batches of one SKU's reports meet.
        registry.add("hub.stock.ledger-consumers", () -> "2");
        // JMX as the hub runs it (application.yaml), which @SpringBootTest turns off: Hawtio's ops actions are MBeans.
        // Only this shared hub has it, so no other test's hub registers the same MBean names in the same JVM.
        registry.add("spring.jmx.enabled", () -> "true");
    }
}
