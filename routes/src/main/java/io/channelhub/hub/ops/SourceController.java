package io.channelhub.hub.ops;

import io.channelhub.hub.store.PollCursorStore;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;

/**
 * The sources the hub polls, for ops asking whether the ERP's changes still come in and which instance fetches them:
 * each feed with the instance that polls it, until when its lease runs at least, where its last poll got to and when.
 */
@RestController
@RequestMapping("/ops/sources")
public class SourceController {

    private final OpsActions ops;

    public SourceController(OpsActions ops) {
        this.ops = ops;
    }

    @GetMapping
    public List<PollCursorStore.Feed> sources() {
        return ops.sources();
    }
}
