#include "viz/gif_write.h"

#include <gif_lib.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "io/palette.h"
#include "core/atomic_file.h"

static int gif_out(GifFileType *g, const GifByteType *buf, int n)
{
    FILE *fp = g->UserData;
    return (int)fwrite(buf, 1, (size_t)n, fp);
}

static ColorMapObject *make_cmap(const palette *pal)
{
    int size = 2;
    while (size < pal->n) size *= 2;
    GifColorType colors[256];
    memset(colors, 0, sizeof colors);
    for (int i = 0; i < pal->n; i++) {
        colors[i].Red = pal->rgb[i][0];
        colors[i].Green = pal->rgb[i][1];
        colors[i].Blue = pal->rgb[i][2];
    }
    return GifMakeMapObject(size, colors);
}

/* Streams the file; returns 0 or a giflib error code. g is closed either way. pal/map: the
 * global palette, or NULL for a palette per frame. */
static int gif_stream(FILE *fp, const palette *pal, palette_map *map, const uint8_t *const *frames,
                      int nframes, int W, int H, int C, const int *delays_cs, double *sse,
                      int *maxerr, uint8_t *idx, int *colors_used)
{
    int err = 0;
    GifFileType *g = EGifOpen(fp, gif_out, &err);
    if (!g) return err ? err : E_GIF_ERR_NOT_ENOUGH_MEM;
    EGifSetGifVersion(g, true);
    palette first;
    if (!pal) {
        /* the screen's colour table: the first frame's */
        palette_build(&first, frames, 1, (size_t)W * H, C);
        pal = &first;
    }
    *colors_used = pal->n;
    ColorMapObject *cmap = make_cmap(pal);
    int rc = GIF_OK;
    if (!cmap) rc = GIF_ERROR;
    if (rc == GIF_OK) rc = EGifPutScreenDesc(g, W, H, 8, 0, cmap);
    /* loop forever */
    static const GifByteType loop[3] = {1, 0, 0};
    if (rc == GIF_OK) rc = EGifPutExtensionLeader(g, APPLICATION_EXT_FUNC_CODE);
    if (rc == GIF_OK) rc = EGifPutExtensionBlock(g, 11, "NETSCAPE2.0");
    if (rc == GIF_OK) rc = EGifPutExtensionBlock(g, 3, loop);
    if (rc == GIF_OK) rc = EGifPutExtensionTrailer(g);
    size_t npix = (size_t)W * (size_t)H;
    for (int f = 0; rc == GIF_OK && f < nframes; f++) {
        GraphicsControlBlock gcb;
        memset(&gcb, 0, sizeof gcb);
        gcb.DisposalMode = DISPOSE_DO_NOT;
        gcb.DelayTime = delays_cs[f] < 2 ? 2 : delays_cs[f] > 65535 ? 65535 : delays_cs[f];
        gcb.TransparentColor = NO_TRANSPARENT_COLOR;
        GifByteType ext[4];
        EGifGCBToExtension(&gcb, ext);
        rc = EGifPutExtension(g, GRAPHICS_EXT_FUNC_CODE, 4, ext);
        if (map) {
            if (rc == GIF_OK) rc = EGifPutImageDesc(g, 0, 0, W, H, false, NULL);
            palette_map_pixels(map, frames[f], npix, C, idx, sse, maxerr);
        } else {
            palette local;
            palette_build(&local, frames + f, 1, npix, C);
            if (local.n > *colors_used) *colors_used = local.n;
            ColorMapObject *lmap = make_cmap(&local);
            palette_map *m = palette_map_create(&local);
            if (!lmap) rc = GIF_ERROR;
            if (rc == GIF_OK) rc = EGifPutImageDesc(g, 0, 0, W, H, false, lmap);
            palette_map_pixels(m, frames[f], npix, C, idx, sse, maxerr);
            palette_map_free(m);
            GifFreeMapObject(lmap);
        }
        for (int y = 0; rc == GIF_OK && y < H; y++) rc = EGifPutLine(g, idx + (size_t)y * W, W);
    }
    if (rc != GIF_OK) err = g->Error ? g->Error : E_GIF_ERR_WRITE_FAILED;
    GifFreeMapObject(cmap);
    int cerr = 0;
    if (EGifCloseFile(g, &cerr) != GIF_OK && !err) err = cerr ? cerr : E_GIF_ERR_CLOSE_FAILED;
    return err;
}

static int gif_write_any(const char *path, const uint8_t *const *frames, int nframes, int W,
                         int H, int C, const int *delays_cs, int local, gif_stats *stats,
                         dc_err *e)
{
    if (nframes <= 0 || W <= 0 || H <= 0 || W > 65535 || H > 65535 || (C != 1 && C != 3))
        return dc_fail(e, "%s: cannot write a GIF of %d frames %dx%d with %d channels", path,
                       nframes, W, H, C);
    palette pal;
    palette_map *map = NULL;
    if (!local || C == 1) {
        palette_build(&pal, frames, nframes, (size_t)W * H, C);
        map = palette_map_create(&pal);
    }
    uint8_t *idx = malloc((size_t)W * H);
    if (!idx) {
        palette_map_free(map);
        return dc_fail(e, "%s: out of memory", path);
    }
    atomic_file af;
    if (atomic_file_open(&af, path, e) != 0) {
        free(idx);
        palette_map_free(map);
        return -1;
    }
    double sse = 0;
    int maxerr = 0, colors = 0;
    int err = gif_stream(af.fp, map ? &pal : NULL, map, frames, nframes, W, H, C, delays_cs, &sse,
                         &maxerr, idx, &colors);
    free(idx);
    palette_map_free(map);
    if (err) {
        atomic_file_abort(&af);
        const char *msg = GifErrorString(err);
        return dc_fail(e, "%s: GIF write failed: %s", path, msg ? msg : "error");
    }
    if (atomic_file_commit(&af, e) != 0) return -1;
    if (stats) {
        double n = (double)nframes * W * H * (C == 1 ? 1 : 3);
        stats->colors = colors;
        stats->rmse = sqrt(sse / n);
        stats->max_err = maxerr;
        stats->psnr = stats->rmse > 0 ? 20 * log10(255.0 / stats->rmse) : INFINITY;
    }
    return 0;
}

int gif_write(const char *path, const uint8_t *const *frames, int nframes, int W, int H, int C,
              const int *delays_cs, gif_stats *stats, dc_err *e)
{
    return gif_write_any(path, frames, nframes, W, H, C, delays_cs, 0, stats, e);
}

int gif_write_local(const char *path, const uint8_t *const *frames, int nframes, int W, int H,
                    int C, const int *delays_cs, gif_stats *stats, dc_err *e)
{
    return gif_write_any(path, frames, nframes, W, H, C, delays_cs, 1, stats, e);
}
