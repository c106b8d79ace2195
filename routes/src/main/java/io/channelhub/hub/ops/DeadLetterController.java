package io.channelhub.hub.ops;

import jakarta.jms.JMSException;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.ExceptionHandler;
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
    public List<DeadLetterService.DeadLetter> list(@PathVariable String queue, @RequestParam(defaultValue = "50") int limit)
            throws JMSException {
        requireDeadLetterQueue(queue);
        return deadLetters.browse(queue, Math.max(1, Math.min(limit, 500)));
    }

    @PostMapping("/{queue}/messages/{jmsMessageId}/retry")
    public Map<String, String> retry(@PathVariable String queue, @PathVariable String jmsMessageId,
                                     Authentication user) throws JMSException {
        requireDeadLetterQueue(queue);
        String target = deadLetters.retry(queue, jmsMessageId, user.getName())
                .orElseThrow(() -> new NotFound(DeadLetterService.noSuchDeadLetter(queue, jmsMessageId)));
        return Map.of("status", "retried", "queue", target);
    }

    @DeleteMapping("/{queue}/messages/{jmsMessageId}")
    public Map<String, String> discard(@PathVariable String queue, @PathVariable String jmsMessageId,
                                       Authentication user) throws JMSException {
        requireDeadLetterQueue(queue);
        if (!deadLetters.discard(queue, jmsMessageId, user.getName())) {
            throw new NotFound(DeadLetterService.noSuchDeadLetter(queue, jmsMessageId));
        }
        return Map.of("status", "discarded");
    }

    @ExceptionHandler(NotFound.class)
    public ResponseEntity<Map<String, String>> notFound(NotFound e) {
        return ResponseEntity.status(404).body(Map.of("status", "not found", "reason", e.getMessage()));
    }

    @ExceptionHandler(DeadLetterService.NotRetryable.class)
    public ResponseEntity<Map<String, String>> notRetryable(DeadLetterService.NotRetryable e) {
        return ResponseEntity.status(409).body(Map.of("status", "refused", "reason", e.getMessage()));
    }

    @ExceptionHandler(IllegalArgumentException.class)
    public ResponseEntity<Map<String, String>> badRequest(IllegalArgumentException e) {
        return ResponseEntity.badRequest().body(Map.of("status", "rejected", "reason", e.getMessage()));
    }

    private void requireDeadLetterQueue(String queue) {
        if (!deadLetters.isDeadLetterQueue(queue)) {
            throw new NotFound(DeadLetterService.notADeadLetterQueue(queue));
        }
    }

    /** Answered 404 with its reason. */
    static final class NotFound extends RuntimeException {
        NotFound(String reason) {
            super(reason, null, false, false);
        }
    }
}
