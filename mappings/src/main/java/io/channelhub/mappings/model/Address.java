package io.channelhub.mappings.model;

public record Address(
        String firstName,
        String lastName,
        String company,
        String line1,
        String line2,
        String postalCode,
        String city,
        String region,
        String countryCode,
        String phone) {

    public String fullName() {
        return String.join(" ", nonBlank(firstName), nonBlank(lastName)).trim();
    }

    private static String nonBlank(String value) {
        return value == null ? "" : value.trim();
    }
}
