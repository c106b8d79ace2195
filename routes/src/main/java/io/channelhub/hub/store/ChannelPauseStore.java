package io.channelhub.hub.store;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.ResultSet;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.Map;

/** The channels ops paused: who, why and since when. A channel without a row pushes as usual. */
@Repository
public class ChannelPauseStore {

    /** Longer reasons are refused rather than cut: ops should see what they wrote. */
    public static final int MAX_REASON_LENGTH = 500;

    private final JdbcClient jdbc;

    public ChannelPauseStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** A paused channel: who paused it, why (may be null) and since when. */
    public record Pause(String pausedBy, String reason, OffsetDateTime since) {

        /** "by who since when", as ops read it in answers and log lines. */
        public String bySince() {
            return "by " + pausedBy + " since " + since;
        }
    }

    /** @return false when the channel is paused already */
    public boolean pause(String channel, String pausedBy, String reason, OffsetDateTime at) {
        return jdbc.sql("INSERT INTO channel_pause (channel, paused_by, reason, paused_at) VALUES (?, ?, ?, ?) "
                        + "ON CONFLICT DO NOTHING")
                .params(channel, pausedBy, reason, at).update() == 1;
    }

    /** @return false when the channel was not paused */
    public boolean resume(String channel) {
        return jdbc.sql("DELETE FROM channel_pause WHERE channel = ?").param(channel).update() == 1;
    }

    /** Every paused channel. */
    public Map<String, Pause> all() {
        Map<String, Pause> paused = new HashMap<>();
        jdbc.sql("SELECT channel, paused_by, reason, paused_at FROM channel_pause").query((ResultSet row) -> {
            paused.put(row.getString(1), new Pause(row.getString(2), row.getString(3),
                    row.getObject(4, OffsetDateTime.class)));
        });
        return paused;
    }
}
