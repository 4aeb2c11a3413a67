package dev.switchboard;

import dev.switchboard.answering.AttachmentLimits;
import dev.switchboard.config.SwitchboardConfig;

/** The {@code attachments} section as the use case's {@link AttachmentLimits}. */
final class AttachmentOptions {

    private AttachmentOptions() {
    }

    static AttachmentLimits of(SwitchboardConfig.Attachments a) {
        return new AttachmentLimits(a.maxBytes().bytes(), a.maxMessageBytes().bytes(), a.maxImages(),
                a.downloadTimeout(), a.maxImagePixels(), a.maxPdfPages(), a.keep(), a.enabled());
    }
}
