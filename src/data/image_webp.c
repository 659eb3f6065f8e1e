/* WebP decoding through libwebp's advanced API: the bitstream features first (size, alpha,
 * animation), then a decode into our own buffer, whose status tells a truncated file from a
 * corrupt one. libwebp checks every read against the length it is given, and never longjmps:
 * nothing here outlives the call. Animated WebP is refused (which frame would be the image?). */
#include "data/image_webp.h"

#include <stdlib.h>
#include <string.h>

#include <webp/decode.h>

int image_webp_signature(const uint8_t *data, size_t len)
{
    return len >= 12 && memcmp(data, "RIFF", 4) == 0 && memcmp(data + 8, "WEBP", 4) == 0;
}

static const char *status_text(VP8StatusCode st)
{
    switch (st) {
    case VP8_STATUS_OUT_OF_MEMORY: return "out of memory";
    case VP8_STATUS_INVALID_PARAM: return "invalid parameter";
    case VP8_STATUS_BITSTREAM_ERROR: return "corrupt bitstream";
    case VP8_STATUS_UNSUPPORTED_FEATURE: return "unsupported feature";
    case VP8_STATUS_NOT_ENOUGH_DATA: return "unexpected end of file";
    default: return "corrupt data";
    }
}

int image_webp_header(const uint8_t *data, size_t len, const char *path, image_decoded *d,
                      dc_err *e)
{
    WebPBitstreamFeatures f;
    VP8StatusCode st = WebPGetFeatures(data, len, &f);
    if (st == VP8_STATUS_NOT_ENOUGH_DATA) return 1;
    if (st != VP8_STATUS_OK) return dc_fail(e, "%s: not a valid WebP (%s)", path, status_text(st));
    if (f.has_animation) return dc_fail(e, "%s: animated WebP is not supported", path);
    d->full_w = d->w = f.width;
    d->full_h = d->h = f.height;
    d->nc = f.has_alpha ? 4 : 3;
    return 0;
}

int image_webp_decode(const uint8_t *data, size_t len, const char *path, image_decoded *d,
                      dc_err *e)
{
    WebPDecoderConfig cfg;
    if (!WebPInitDecoderConfig(&cfg)) return dc_fail(e, "%s: libwebp version mismatch", path);
    size_t stride = (size_t)d->w * (size_t)d->nc, bytes = stride * (size_t)d->h;
    d->px = malloc(bytes ? bytes : 1);
    if (!d->px) return dc_fail(e, "%s: out of memory decoding %dx%d", path, d->w, d->h);
    cfg.output.colorspace = d->nc == 4 ? MODE_RGBA : MODE_RGB;
    cfg.output.is_external_memory = 1;
    cfg.output.u.RGBA.rgba = d->px;
    cfg.output.u.RGBA.stride = (int)stride;
    cfg.output.u.RGBA.size = bytes;
    VP8StatusCode st = WebPDecode(data, len, &cfg);
    WebPFreeDecBuffer(&cfg.output); /* external memory: frees nothing of ours */
    if (st == VP8_STATUS_OK && (cfg.output.width != d->w || cfg.output.height != d->h))
        st = VP8_STATUS_BITSTREAM_ERROR; /* a frame of another size than the header said */
    if (st == VP8_STATUS_OK) return 0;
    free(d->px);
    d->px = NULL;
    if (st == VP8_STATUS_NOT_ENOUGH_DATA)
        return dc_fail(e, "%s: truncated WebP file (unexpected end of file)", path);
    return dc_fail(e, "%s: not a valid WebP (%s)", path, status_text(st));
}
