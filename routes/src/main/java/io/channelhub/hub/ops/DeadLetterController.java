package io.channelhub.hub.ops;

import jakarta.jms.JMSException;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;
import java.util.Map;

/** The ops API for dead letters (ops login required). */
@RestController
@RequestMapping("/ops/dead-letters")
public class DeadLetterController {

    private final DeadLetterService deadLetters;

    public DeadLetterController(DeadLetterService deadLetters) {
        this.deadLetters = deadLetters;
    }

    @GetMapping
    public Map<String, Integer> depths() throws JMSException {
        return deadLetters.depths();
    }

    @GetMapping("/{queue}")
    public ResponseEntity<List<DeadLetterService.DeadLetter>> list(@PathVariable String queue,
                                                                   @RequestParam(defaultValue = "50") int limit)
            throws JMSException {
        if (!deadLetters.isDeadLetterQueue(queue)) {
            return ResponseEntity.notFound().build();
        }
        return ResponseEntity.ok(deadLetters.browse(queue, Math.max(1, Math.min(limit, 500))));
    }

    @PostMapping("/{queue}/messages/{jmsMessageId}/retry")
    public ResponseEntity<Map<String, String>> retry(@PathVariable String queue, @PathVariable String jmsMessageId,
                                                     Authentication user) throws JMSException {
        if (!deadLetters.isDeadLetterQueue(queue)) {
            return ResponseEntity.notFound().build();
        }
        return deadLetters.retry(queue, jmsMessageId, user.getName())
                .map(target -> ResponseEntity.ok(Map.of("status", "retried", "queue", target)))
                .orElseGet(() -> ResponseEntity.status(404).body(Map.of("status", "not found",
                        "reason", "no dead letter " + jmsMessageId + " in " + queue)));
    }

    @DeleteMapping("/{queue}/messages/{jmsMessageId}")
    public ResponseEntity<Map<String, String>> discard(@PathVariable String queue, @PathVariable String jmsMessageId,
                                                       Authentication user) throws JMSException {
        if (!deadLetters.isDeadLetterQueue(queue)) {
            return ResponseEntity.notFound().build();
        }
        return deadLetters.discard(queue, jmsMessageId, user.getName())
                ? ResponseEntity.ok(Map.of("status", "discarded"))
                : ResponseEntity.status(404).body(Map.of("status", "not found",
                        "reason", "no dead letter " + jmsMessageId + " in " + queue));
    }

    @org.springframework.web.bind.annotation.ExceptionHandler(IllegalArgumentException.class)
    public ResponseEntity<Map<String, String>> badRequest(IllegalArgumentException e) {
        return ResponseEntity.badRequest().body(Map.of("status", "rejected", "reason", e.getMessage()));
    }
}
