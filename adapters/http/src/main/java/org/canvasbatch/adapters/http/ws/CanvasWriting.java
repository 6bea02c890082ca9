package org.canvasbatch.adapters.http.ws;

/**
 * What this server's vault adds to a canvas for each written note, as its settings say: (plugin) the summary claims in
 * fixed words "Canvas已自动更新，添加了N个蓝色说明节点和N个文档节点" whatever the server did, so a plugin window is told
 * what of that is not true by the learner's own setting (CONTRACT §3.2).
 *
 * @param linksNotes  write-back is on ({@code write-back.enabled}, {@code --no-write-back}): a file node and an edge
 * @param labelsNotes the blue label beside each file node ({@code write-back.label-nodes}); nothing without write-back
 */
public record CanvasWriting(boolean linksNotes, boolean labelsNotes) {

    /** The defaults: every note linked, with its label. */
    public static final CanvasWriting ALL = new CanvasWriting(true, true);
}
