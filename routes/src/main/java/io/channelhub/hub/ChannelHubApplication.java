package io.channelhub.hub;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

@SpringBootApplication
@ConfigurationPropertiesScan
public class ChannelHubApplication {

    public static void main(String[] args) {
        SpringApplication.run(ChannelHubApplication.class, args);
    }
}
