# syntax=docker/dockerfile:1
# Build: docker build -t switchboard .
# Run:   docker run --rm -p 127.0.0.1:8080:8080 -v "$PWD/config:/app/config:ro" -v switchboard-data:/app/conversations \
#          -e SLACK_BOT_TOKEN -e SLACK_APP_TOKEN -e OPENAI_API_KEY switchboard

FROM maven:3.9-eclipse-temurin-21 AS build
WORKDIR /src
COPY .mvn .mvn
COPY mvnw pom.xml ./
RUN --mount=type=cache,target=/root/.m2 ./mvnw -B -q dependency:go-offline
COPY src src
RUN --mount=type=cache,target=/root/.m2 ./mvnw -B -q -DskipTests package

FROM eclipse-temurin:21-jre
RUN groupadd --system --gid 10001 switchboard \
 && useradd --system --uid 10001 --gid switchboard --home-dir /app --no-create-home switchboard \
 && mkdir -p /app/conversations /app/config \
 && chown switchboard:switchboard /app/conversations
WORKDIR /app
COPY --from=build /src/target/switchboard.jar /app/switchboard.jar
# The sample config; mount your own over /app/config.
COPY config /app/config
USER switchboard:switchboard
# Inside a container the ops server must listen beyond loopback to be reachable; keep the port unpublished or set
# SWITCHBOARD_OPS_TOKEN if the network is not yours.
# A UTF-8 locale: the JVM decodes command-line arguments (`docker run … ask "café"`) with the locale's charset.
ENV SWITCHBOARD_OPS_BIND=0.0.0.0 \
    SWITCHBOARD_DATA=/app/conversations \
    LANG=C.UTF-8
VOLUME ["/app/conversations"]
EXPOSE 8080
STOPSIGNAL SIGTERM
ENTRYPOINT ["java", "-XX:+UseSerialGC", "-XX:MaxRAMPercentage=75", "-XX:TieredStopAtLevel=1", "-XX:CompileThresholdScaling=0.25", "-Dstdout.encoding=UTF-8", "-Dstderr.encoding=UTF-8", "-Djdk.pollerMode=1", "-jar", "/app/switchboard.jar"]
