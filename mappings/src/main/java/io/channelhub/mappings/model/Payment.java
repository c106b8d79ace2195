package io.channelhub.mappings.model;

public record Payment(String method, String status, Money amount) {
}
