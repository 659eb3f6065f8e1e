#include "gifread.h"

#include <gif_lib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int find_loop(const ExtensionBlock *b, int n)
{
    for (int i = 0; i + 1 < n; i++)
        if (b[i].Function == APPLICATION_EXT_FUNC_CODE && b[i].ByteCount == 11 &&
            memcmp(b[i].Bytes, "NETSCAPE2.0", 11) == 0 && b[i + 1].ByteCount == 3 && b[i + 1].Bytes[0] == 1)
            return b[i + 1].Bytes[1] | b[i + 1].Bytes[2] << 8;
    return -1;
}

int gif_decode_file(const char *path, gif_decoded *out)
{
    memset(out, 0, sizeof *out);
    int err = 0;
    GifFileType *g = DGifOpenFileName(path, &err);
    if (!g) {
        fprintf(stderr, "%s: %s\n", path, GifErrorString(err));
        return -1;
    }
    if (DGifSlurp(g) != GIF_OK) {
        fprintf(stderr, "%s: %s\n", path, GifErrorString(g->Error));
        DGifCloseFile(g, &err);
        return -1;
    }
    out->W = g->SWidth;
    out->H = g->SHeight;
    out->nframes = g->ImageCount;
    out->colors = g->SColorMap ? g->SColorMap->ColorCount : 0;
    out->loops = find_loop(g->ExtensionBlocks, g->ExtensionBlockCount);
    if (out->loops < 0 && g->ImageCount > 0)
        out->loops = find_loop(g->SavedImages[0].ExtensionBlocks, g->SavedImages[0].ExtensionBlockCount);
    size_t count = g->ImageCount > 0 ? (size_t)g->ImageCount : 1;
    out->rgb = calloc(count, sizeof *out->rgb);
    out->delay_cs = calloc(count, sizeof *out->delay_cs);
    size_t npix = (size_t)out->W * out->H;
    uint8_t *canvas = calloc(npix * 3, 1);
    for (int f = 0; f < g->ImageCount; f++) {
        const SavedImage *s = &g->SavedImages[f];
        const ColorMapObject *cm = s->ImageDesc.ColorMap ? s->ImageDesc.ColorMap : g->SColorMap;
        GraphicsControlBlock gcb;
        if (DGifSavedExtensionToGCB(g, f, &gcb) == GIF_OK) out->delay_cs[f] = gcb.DelayTime;
        for (int y = 0; y < s->ImageDesc.Height; y++)
            for (int x = 0; x < s->ImageDesc.Width; x++) {
                int k = s->RasterBits[y * s->ImageDesc.Width + x];
                size_t o = ((size_t)(y + s->ImageDesc.Top) * out->W + x + s->ImageDesc.Left) * 3;
                if (cm && k < cm->ColorCount && o + 2 < npix * 3) {
                    canvas[o] = cm->Colors[k].Red;
                    canvas[o + 1] = cm->Colors[k].Green;
                    canvas[o + 2] = cm->Colors[k].Blue;
                }
            }
        out->rgb[f] = malloc(npix * 3);
        memcpy(out->rgb[f], canvas, npix * 3);
    }
    free(canvas);
    DGifCloseFile(g, &err);
    return 0;
}

void gif_decoded_free(gif_decoded *g)
{
    for (int i = 0; g->rgb && i < g->nframes; i++) free(g->rgb[i]);
    free(g->rgb);
    free(g->delay_cs);
    memset(g, 0, sizeof *g);
}
