package io.channelhub.connectors.tryton;

import java.time.Duration;

/** The Tryton sandbox and client that the reader and writer tests start from, set up alike in one place. */
final class TrytonFixtures {

    static final String PARTNER = "erp-test";
    static final String ADMIN_PASSWORD = "admin";

    private TrytonFixtures() {
    }

    /** A started sandbox with the two products the reader tests poll: MUG-BLUE (9.90) and TSHIRT-RED-M (24.99). */
    static TrytonSandbox sandboxWithMugAndShirt() {
        TrytonSandbox tryton = new TrytonSandbox(0, ADMIN_PASSWORD);
        tryton.start();
        tryton.addProduct("MUG-BLUE", "Mug", "9.90");
        tryton.addProduct("TSHIRT-RED-M", "T-shirt", "24.99");
        return tryton;
    }

    /** A client logged in as the sandbox's admin, with a timeout short enough for a test and long enough for CI. */
    static TrytonClient adminClient(TrytonSandbox tryton) {
        return new TrytonClient(PARTNER, tryton.rpcUrl(), TrytonSandbox.DATABASE, "admin", ADMIN_PASSWORD,
                Duration.ofSeconds(2));
    }
}
