/* postlint._blocks: pyromark's events -> Markdown blocks, the same walk as
 * postlint.document._scan_events, in C.
 *
 * The corpora's 5,299 posts hand out 2.2 million events, and the Python loop
 * spends about a third of a microsecond on each; in C a run of the corpora takes
 * 8% less (README, Speed). The Python walk stays the reference, and the fallback
 * where no compiler built this module: tests hold the two equal. Blocks of document.Block are
 * made without a call of its __init__, their slots filled as __init__ fills them (new_block).
 *
 * scan(events, conv, position, blocks, images, html, code_ranges,
 *      Block, Image, Html, br_match) -> None
 * finish_blocks(blocks) -> code blocks, loose items given their paragraph's text (document._finish_blocks_py)
 * byte_offsets(body) -> (bytes_at, extra), what document._ByteMap keeps (document._byte_offsets_py)
 * of_kind(blocks, kind) -> the blocks of that kind (document._of_kind_py)
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#include "_slots.h"

enum {
    /* event keys */
    E_TEXT = 1, E_START, E_END, E_CODE, E_HTML, E_INLINE_HTML,
};

enum {
    /* tags: the first six open a block of their own kind (kinds[] below) */
    T_PARAGRAPH = 1, T_BLOCKQUOTE, T_CODEBLOCK, T_HTMLBLOCK, T_TABLEHEAD, T_TABLEROW,
    T_HEADING, T_ITEM, T_LIST, T_TABLECELL, T_IMAGE, T_LINK,
    T_INLINE,     /* markup whose start and end carry nothing kept */
    T_UNMODELLED, /* containers whose text is not prose of a block */
};

static PyObject *event_codes; /* dict: event key -> code */
static PyObject *s_ev_text, *s_ev_start, *s_ev_end;
static PyObject *tag_codes;   /* dict: tag -> code */
static PyObject *kinds[T_TABLEROW + 1];
static PyObject *zero, *one, *empty_tuple;
static PyObject *s_break, *s_start, *s_end, *s_heading, *s_item, *s_empty, *s_newline, *s_space, *s_bar;
static PyObject *s_parts, *s_ranges, *s_index, *s_links, *s_text, *s_cells, *s_images, *s_block,
    *s_alt, *s_fenced, *s_level, *s_link_type, *s_dest_url, *s_title, *s_inline, *s_markdown,
    *s_reference, *s_strip, *s_kind, *s_code, *s_paragraph, *s_parent, *s_slots;

static long
code_of(PyObject *table, PyObject *key)
{
    PyObject *v = PyDict_GetItemWithError(table, key);
    if (v == NULL)
        return PyErr_Occurred() ? -1 : 0;
    return PyLong_AsLong(v);
}

static PyObject *s_tag_link, *s_tag_item, *s_tag_paragraph, *s_tag_strong;

/* A tag's code: the four commonest (three in four tags) by identity, pyromark interning them. */
static long
tag_code(PyObject *tag)
{
    if (tag == s_tag_link)
        return T_LINK;
    if (tag == s_tag_item)
        return T_ITEM;
    if (tag == s_tag_paragraph)
        return T_PARAGRAPH;
    if (tag == s_tag_strong)
        return T_INLINE;
    return code_of(tag_codes, tag);
}

/* The only (key, value) of a one-entry dict (borrowed). */
static int
only_item(PyObject *d, PyObject **key, PyObject **value)
{
    Py_ssize_t pos = 0;
    if (!PyDict_Next(d, &pos, key, value)) {
        PyErr_SetString(PyExc_ValueError, "empty event");
        return -1;
    }
    return 0;
}

static PyObject *
list_pop(PyObject *list)
{
    Py_ssize_t n = PyList_GET_SIZE(list);
    if (n == 0) {
        PyErr_SetString(PyExc_IndexError, "pop from empty list");
        return NULL;
    }
    PyObject *item = PyList_GET_ITEM(list, n - 1);
    Py_INCREF(item);
    if (PyList_SetSlice(list, n - 1, n, NULL) < 0) {
        Py_DECREF(item);
        return NULL;
    }
    return item;
}

static PyObject *
join(PyObject *parts, Py_ssize_t from)
{
    if (from == 0)
        return PyUnicode_Join(s_empty, parts);
    PyObject *tail = PyList_GetSlice(parts, from, PyList_GET_SIZE(parts));
    if (tail == NULL)
        return NULL;
    PyObject *r = PyUnicode_Join(s_empty, tail);
    Py_DECREF(tail);
    return r;
}


/* Blocks are made here, without a call of Block.__init__ (a fifth of this walk's time): the slots
 * are filled as __init__ fills them. Only for the exact type whose slots are exactly these; any
 * other (a subclass, a changed Block) is called as a Python class. */
enum {
    B_INDEX, B_KIND, B_PARENT, B_LEVEL, B_LIST_ID, B_ORDERED, B_NUMBER, B_DEPTH, B_INFO, B_TEXT, B_CELLS,
    B_IMAGES, B_LINKS, B_BSTART, B_BEND, B_PARTS, B_RANGES, B_SEGS, B_MAP, B_POS, B_NSLOTS,
};
static const char *const slot_names[B_NSLOTS] = {
    "index", "kind", "parent", "level", "list_id", "ordered", "number", "depth", "info", "text", "cells",
    "images", "links", "_bstart", "_bend", "_parts", "_ranges", "_segs", "_map", "_pos",
};
static PyTypeObject *native_type; /* the Block type the offsets are of */
static Py_ssize_t slot_offset[B_NSLOTS];

#define SLOT(obj, i) SLOT_AT(obj, slot_offset[i])

/* Whether blocks of `type` can be made natively: 1, 0, or -1 with an exception set. */
static int
native_layout(PyObject *type)
{
    if ((PyTypeObject *)type == native_type)
        return 1;
    if (!PyType_Check(type))
        return 0;
    PyTypeObject *tp = (PyTypeObject *)type;
    if (tp->tp_dictoffset != 0 || tp->tp_alloc == NULL || tp->tp_new != PyBaseObject_Type.tp_new)
        return 0;
    PyObject *slots = PyDict_GetItemWithError(tp->tp_dict, s_slots);
    if (slots == NULL)
        return PyErr_Occurred() ? -1 : 0;
    if (!PyTuple_Check(slots) || PyTuple_GET_SIZE(slots) != B_NSLOTS)
        return 0;
    Py_ssize_t offsets[B_NSLOTS];
    if (!slot_offsets(type, slot_names, B_NSLOTS, offsets))
        return 0;
    memcpy(slot_offset, offsets, sizeof offsets);
    Py_INCREF(tp);
    Py_XSETREF(native_type, tp);
    return 1;
}

/* A new block with the values given (new references are taken) and __init__'s defaults for the rest. */
static PyObject *
new_block(PyObject *type, PyObject *const *a, Py_ssize_t nargs)
{
    int native = native_layout(type);
    if (native < 0)
        return NULL;
    if (!native)
        return PyObject_Vectorcall(type, a, nargs, NULL);
    /* __init__'s defaults after bytemap: parent, level, list_id, ordered, number, depth, info */
    PyObject *given[B_NSLOTS] = {NULL};
    PyObject *defaults[7] = {Py_None, zero, Py_None, Py_False, Py_None, zero, s_empty};
    static const int order[12] = {B_INDEX, B_KIND, B_BSTART, B_BEND, B_MAP, B_PARENT, B_LEVEL, B_LIST_ID,
                                  B_ORDERED, B_NUMBER, B_DEPTH, B_INFO};
    for (int i = 0; i < 12; i++)
        given[order[i]] = i < nargs ? a[i] : defaults[i - 5];
    PyObject *parts = PyList_New(0), *ranges = parts ? PyList_New(0) : NULL;
    PyObject *b = ranges ? native_type->tp_alloc(native_type, 0) : NULL;
    if (b == NULL) {
        Py_XDECREF(parts);
        Py_XDECREF(ranges);
        return NULL;
    }
    given[B_TEXT] = s_empty;
    given[B_CELLS] = given[B_IMAGES] = empty_tuple;
    given[B_LINKS] = zero;
    given[B_SEGS] = given[B_POS] = Py_None;
    for (int i = 0; i < B_NSLOTS; i++) {
        if (given[i] != NULL) {
            Py_INCREF(given[i]);
            SLOT(b, i) = given[i];
        }
    }
    SLOT(b, B_PARTS) = parts; /* owned */
    SLOT(b, B_RANGES) = ranges;
    return b;
}

typedef struct {
    PyObject *target, *tparts, *tranges; /* owned, or NULL for no target */
} Target;

static void
target_clear(Target *t)
{
    Py_CLEAR(t->target);
    Py_CLEAR(t->tparts);
    Py_CLEAR(t->tranges);
}

/* Make `obj` (a Block, or None) the target. Steals nothing. */
static int
target_set(Target *t, PyObject *obj)
{
    target_clear(t);
    if (obj == Py_None)
        return 0;
    if (Py_TYPE(obj) == native_type && SLOT(obj, B_PARTS) != NULL && SLOT(obj, B_RANGES) != NULL) {
        t->tparts = Py_NewRef(SLOT(obj, B_PARTS));
        t->tranges = Py_NewRef(SLOT(obj, B_RANGES));
    } else {
        t->tparts = PyObject_GetAttr(obj, s_parts);
        t->tranges = t->tparts ? PyObject_GetAttr(obj, s_ranges) : NULL;
    }
    if (t->tranges == NULL || !PyList_Check(t->tparts) || !PyList_Check(t->tranges)) {
        if (t->tranges != NULL)
            PyErr_SetString(PyExc_TypeError, "a block's _parts and _ranges must be lists");
        target_clear(t);
        return -1;
    }
    Py_INCREF(obj);
    t->target = obj;
    return 0;
}

/* Append `item` to the list in attribute `name` of a block: the empty tuple a block starts with
 * (most blocks never have an image or a cell) becomes a list of one. */
static int
append_attr(PyObject *obj, PyObject *name, PyObject *item)
{
    PyObject *seq = PyObject_GetAttr(obj, name);
    if (seq == NULL)
        return -1;
    int r = -1;
    if (PyList_Check(seq))
        r = PyList_Append(seq, item);
    else if (PyTuple_Check(seq) && PyTuple_GET_SIZE(seq) == 0) {
        PyObject *list = PyList_New(1);
        if (list != NULL) {
            Py_INCREF(item);
            PyList_SET_ITEM(list, 0, item);
            r = PyObject_SetAttr(obj, name, list);
            Py_DECREF(list);
        }
    } else
        PyErr_SetString(PyExc_TypeError, "a block's images and cells must be lists");
    Py_DECREF(seq);
    return r;
}

/* A range's start and end (borrowed). pyromark builds each range {"start": ..., "end": ...} with
 * interned keys, in that order: two steps of PyDict_Next find them, with a lookup by key for any
 * other dict. */
static int
range_of(PyObject *rng, PyObject **start, PyObject **end)
{
    Py_ssize_t pos = 0;
    PyObject *k1, *v1, *k2, *v2;
    if (PyDict_GET_SIZE(rng) == 2 && PyDict_Next(rng, &pos, &k1, &v1) && PyDict_Next(rng, &pos, &k2, &v2)
        && k1 == s_start && k2 == s_end) {
        *start = v1;
        *end = v2;
        return 0;
    }
    *start = PyDict_GetItemWithError(rng, s_start);
    *end = *start ? PyDict_GetItemWithError(rng, s_end) : NULL;
    if (*end == NULL) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_KeyError, "range without start or end");
        return -1;
    }
    return 0;
}

/* The source range of a piece: its start and end (body bytes), flat in `ranges`. */
static int
add_range(PyObject *ranges, PyObject *rng)
{
    PyObject *start, *end;
    if (range_of(rng, &start, &end) < 0 || PyList_Append(ranges, start) < 0)
        return -1;
    return PyList_Append(ranges, end);
}

static int
add_piece(Target *t, PyObject *text, PyObject *rng)
{
    if (PyList_Append(t->tparts, text) < 0)
        return -1;
    return add_range(t->tranges, rng);
}

/* An image opens: recorded now, its alt text collected until it closes. */
static int
add_image(Target *t, PyObject *attrs, PyObject *bstart, PyObject *conv, PyObject *position,
          PyObject *images, PyObject *in_image, PyObject *Image)
{
    if (!PyDict_Check(attrs)) {
        PyErr_SetString(PyExc_TypeError, "an image without attributes");
        return -1;
    }
    PyObject *link_type = PyDict_GetItemWithError(attrs, s_link_type);
    PyObject *dest = link_type ? PyDict_GetItemWithError(attrs, s_dest_url) : NULL;
    if (dest == NULL) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_KeyError, "an image without link_type or dest_url");
        return -1;
    }
    PyObject *title = PyDict_GetItemWithError(attrs, s_title);
    if (title == NULL) {
        if (PyErr_Occurred())
            return -1;
        title = s_empty;
    }
    int inline_ = PyObject_RichCompareBool(link_type, s_inline, Py_EQ);
    if (inline_ < 0)
        return -1;
    PyObject *start = PyObject_CallOneArg(conv, bstart);
    if (start == NULL)
        return -1;
    PyObject *pos = PyObject_CallOneArg(position, start);
    if (pos == NULL || !PyTuple_Check(pos) || PyTuple_GET_SIZE(pos) != 2) {
        if (pos != NULL)
            PyErr_SetString(PyExc_TypeError, "position() must return (line, column)");
        Py_XDECREF(pos);
        Py_DECREF(start);
        return -1;
    }
    PyObject *a[7] = {dest, s_empty, PyTuple_GET_ITEM(pos, 0), PyTuple_GET_ITEM(pos, 1), start,
                      inline_ ? s_markdown : s_reference, title};
    PyObject *kw = PyTuple_Pack(1, s_title);
    PyObject *img = kw ? PyObject_Vectorcall(Image, a, 6, kw) : NULL;
    Py_XDECREF(kw);
    Py_DECREF(pos);
    Py_DECREF(start);
    if (img == NULL)
        return -1;
    int r = 0;
    if (t->target != NULL) {
        PyObject *index = PyObject_GetAttr(t->target, s_index);
        PyObject *n = index ? PyLong_FromSsize_t(PyList_GET_SIZE(images)) : NULL;
        r = n ? PyObject_SetAttr(img, s_block, index) : -1;
        if (r == 0)
            r = append_attr(t->target, s_images, n);
        Py_XDECREF(n);
        Py_XDECREF(index);
    }
    PyObject *parts = r == 0 ? PyList_New(0) : NULL;
    PyObject *open = parts ? PyTuple_Pack(2, img, parts) : NULL;
    if (open == NULL || PyList_Append(images, img) < 0 || PyList_Append(in_image, open) < 0)
        r = -1;
    Py_XDECREF(open);
    Py_XDECREF(parts);
    Py_DECREF(img);
    return r;
}

static PyObject *
scan(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 11) {
        PyErr_SetString(PyExc_TypeError, "scan() takes 11 arguments");
        return NULL;
    }
    PyObject *events = args[0], *conv = args[1], *position = args[2], *blocks = args[3],
             *images = args[4], *html = args[5], *code_ranges = args[6], *Block = args[7],
             *Image = args[8], *Html = args[9], *br_match = args[10];
    if (!PyList_Check(blocks) || !PyList_Check(images) || !PyList_Check(html) || !PyList_Check(code_ranges)) {
        PyErr_SetString(PyExc_TypeError, "scan() needs lists to fill");
        return NULL;
    }
    PyObject *it = PyObject_GetIter(events);
    if (it == NULL)
        return NULL;
    PyObject *stack = PyList_New(0);    /* open block indices (-1: a container not modelled) */
    PyObject *targets = PyList_New(0);  /* the targets of the blocks around */
    PyObject *lists = PyList_New(0);    /* open lists: [id, ordered, next number] */
    PyObject *in_image = PyList_New(0); /* open images: (image, alt parts) */
    PyObject *minus_one = PyLong_FromLong(-1);
    Target t = {NULL, NULL, NULL};
    Py_ssize_t cell_start = 0;
    long list_counter = 0;
    PyObject *pair = NULL;
    int failed = 0;
    if (!stack || !targets || !lists || !in_image || !minus_one)
        goto error;

    while ((pair = PyIter_Next(it)) != NULL) {
        if (!PyTuple_Check(pair) || PyTuple_GET_SIZE(pair) != 2) {
            PyErr_SetString(PyExc_TypeError, "events must be (event, range) pairs");
            goto error;
        }
        PyObject *event = PyTuple_GET_ITEM(pair, 0), *rng = PyTuple_GET_ITEM(pair, 1);
        if (!PyDict_Check(rng)) {
            PyErr_SetString(PyExc_TypeError, "a range is a dict with a start and an end");
            goto error;
        }
        if (PyUnicode_Check(event)) { /* SoftBreak, HardBreak, Rule, ... */
            if (t.tparts != NULL && PyUnicode_Tailmatch(event, s_break, 0, PY_SSIZE_T_MAX, 1) == 1) {
                if (add_piece(&t, s_newline, rng) < 0)
                    goto error;
            }
            Py_CLEAR(pair);
            continue;
        }
        if (!PyDict_Check(event)) {
            PyErr_SetString(PyExc_TypeError, "an event is a str or a dict");
            goto error;
        }
        PyObject *key, *value;
        if (only_item(event, &key, &value) < 0)
            goto error;
        /* pyromark's event keys are interned: compared by identity first, looked up otherwise */
        long ecode = key == s_ev_text ? E_TEXT : key == s_ev_start ? E_START : key == s_ev_end ? E_END
                     : code_of(event_codes, key);
        if (ecode < 0)
            goto error;
        if (ecode == E_TEXT) {
            Py_ssize_t n = PyList_GET_SIZE(in_image);
            if (n > 0) {
                if (PyList_Append(PyTuple_GET_ITEM(PyList_GET_ITEM(in_image, n - 1), 1), value) < 0)
                    goto error;
            } else if (t.tparts != NULL && add_piece(&t, value, rng) < 0)
                goto error;
        } else if (ecode == E_START) {
            PyObject *tag, *attrs = Py_None;
            if (PyDict_Check(value)) {
                if (only_item(value, &tag, &attrs) < 0)
                    goto error;
            } else
                tag = value;
            long tcode = tag_code(tag);
            if (tcode < 0)
                goto error;
            if (tcode == T_INLINE || tcode == 0) {
                Py_CLEAR(pair);
                continue;
            }
            if (tcode == T_LINK) {
                if (t.target != NULL && Py_TYPE(t.target) == native_type && SLOT(t.target, B_LINKS) != NULL) {
                    PyObject *more = PyNumber_Add(SLOT(t.target, B_LINKS), one);
                    if (more == NULL)
                        goto error;
                    Py_SETREF(SLOT(t.target, B_LINKS), more);
                } else if (t.target != NULL) {
                    PyObject *links = PyObject_GetAttr(t.target, s_links);
                    if (links == NULL)
                        goto error;
                    PyObject *more = PyNumber_Add(links, one);
                    Py_DECREF(links);
                    if (more == NULL)
                        goto error;
                    int r = PyObject_SetAttr(t.target, s_links, more);
                    Py_DECREF(more);
                    if (r < 0)
                        goto error;
                }
                Py_CLEAR(pair);
                continue;
            }
            PyObject *parent = Py_None; /* borrowed */
            Py_ssize_t depth = PyList_GET_SIZE(stack);
            if (depth > 0) {
                PyObject *top = PyList_GET_ITEM(stack, depth - 1);
                if (PyLong_AsLong(top) >= 0)
                    parent = top;
            }
            PyObject *bstart, *bend;
            if (range_of(rng, &bstart, &bend) < 0)
                goto error;
            PyObject *b = NULL;
            int textual = 1;
            PyObject *index = PyLong_FromSsize_t(PyList_GET_SIZE(blocks));
            if (index == NULL)
                goto error;
            if (tcode <= T_TABLEROW) {
                PyObject *info = s_empty;
                if (tcode == T_CODEBLOCK && PyDict_Check(attrs)) {
                    PyObject *fenced = PyDict_GetItemWithError(attrs, s_fenced);
                    if (fenced == NULL && PyErr_Occurred()) {
                        Py_DECREF(index);
                        goto error;
                    }
                    if (fenced != NULL) {
                        int truth = PyObject_IsTrue(fenced);
                        if (truth < 0) {
                            Py_DECREF(index);
                            goto error;
                        }
                        if (truth)
                            info = fenced;
                    }
                }
                PyObject *a[12] = {index, kinds[tcode], bstart, bend, conv, parent, zero, Py_None, Py_False, Py_None, zero, info};
                b = new_block(Block, a, 12);
                textual = !(tcode == T_BLOCKQUOTE || tcode == T_CODEBLOCK || tcode == T_HTMLBLOCK);
            } else if (tcode == T_HEADING) {
                /* level: "H1" .. "H6" */
                PyObject *lv = PyDict_Check(attrs) ? PyDict_GetItemWithError(attrs, s_level) : NULL;
                PyObject *level = NULL;
                if (lv != NULL && PyUnicode_Check(lv) && PyUnicode_GET_LENGTH(lv) >= 2) {
                    PyObject *digits = PyUnicode_Substring(lv, 1, PyUnicode_GET_LENGTH(lv));
                    if (digits != NULL) {
                        level = PyLong_FromUnicodeObject(digits, 10);
                        Py_DECREF(digits);
                    }
                } else if (!PyErr_Occurred())
                    PyErr_SetString(PyExc_ValueError, "heading without a level");
                if (level == NULL) {
                    Py_DECREF(index);
                    goto error;
                }
                PyObject *a[7] = {index, s_heading, bstart, bend, conv, parent, level};
                b = new_block(Block, a, 7);
                Py_DECREF(level);
            } else if (tcode == T_ITEM) {
                Py_ssize_t nl = PyList_GET_SIZE(lists);
                PyObject *list_id = zero, *ordered = Py_False, *number = Py_None;
                PyObject *lst = nl > 0 ? PyList_GET_ITEM(lists, nl - 1) : NULL;
                if (lst != NULL) {
                    list_id = PyList_GET_ITEM(lst, 0);
                    ordered = PyList_GET_ITEM(lst, 1);
                    number = PyList_GET_ITEM(lst, 2);
                }
                Py_INCREF(number); /* the list's slot is replaced below */
                if (lst != NULL && number != Py_None) {
                    PyObject *next = PyNumber_Add(number, one);
                    if (next == NULL) {
                        Py_DECREF(number);
                        Py_DECREF(index);
                        goto error;
                    }
                    PyList_SetItem(lst, 2, next); /* steals next */
                }
                PyObject *dep = PyLong_FromSsize_t(nl - 1);
                if (dep == NULL) {
                    Py_DECREF(number);
                    Py_DECREF(index);
                    goto error;
                }
                PyObject *a[11] = {index, s_item, bstart, bend, conv, parent, zero, list_id, ordered, number, dep};
                b = new_block(Block, a, 11);
                Py_DECREF(number);
                Py_DECREF(dep);
            } else {
                Py_DECREF(index);
                if (tcode == T_LIST) {
                    list_counter++;
                    PyObject *lst = Py_BuildValue("[lOO]", list_counter, attrs != Py_None ? Py_True : Py_False, attrs);
                    if (lst == NULL)
                        goto error;
                    int r = PyList_Append(lists, lst);
                    Py_DECREF(lst);
                    if (r < 0)
                        goto error;
                } else if (tcode == T_TABLECELL) {
                    if (t.tparts != NULL) {
                        /* a cell before this one in the row has text */
                        Py_ssize_t n = PyList_GET_SIZE(t.tparts), i;
                        int any = 0;
                        for (i = 0; i < n && !any; i++)
                            if ((any = PyObject_IsTrue(PyList_GET_ITEM(t.tparts, i))) < 0)
                                goto error;
                        if (any) {
                            /* " | " stands for no source */
                            if (PyList_Append(t.tparts, s_bar) < 0 || PyList_Append(t.tranges, bstart) < 0 ||
                                PyList_Append(t.tranges, bstart) < 0)
                                goto error;
                        }
                        cell_start = PyList_GET_SIZE(t.tparts);
                    }
                } else if (tcode == T_IMAGE) {
                    if (add_image(&t, attrs, bstart, conv, position, images, in_image, Image) < 0)
                        goto error;
                } else if (tcode == T_UNMODELLED) {
                    if (PyList_Append(stack, minus_one) < 0 ||
                        PyList_Append(targets, t.target ? t.target : Py_None) < 0)
                        goto error;
                    target_clear(&t);
                }
                Py_CLEAR(pair);
                continue;
            }
            if (b == NULL) {
                Py_DECREF(index);
                goto error;
            }
            int r = PyList_Append(blocks, b);
            if (r == 0)
                r = PyList_Append(stack, index);
            Py_DECREF(index);
            if (r == 0)
                r = PyList_Append(targets, t.target ? t.target : Py_None);
            if (r == 0)
                r = target_set(&t, textual ? b : Py_None);
            Py_DECREF(b);
            if (r < 0)
                goto error;
        } else if (ecode == E_END) {
            PyObject *tag = value, *ignored;
            if (PyDict_Check(value) && only_item(value, &tag, &ignored) < 0)
                goto error;
            long tcode = tag_code(tag);
            if (tcode < 0)
                goto error;
            if ((tcode > 0 && tcode <= T_ITEM) || tcode == T_UNMODELLED) {
                PyObject *top = list_pop(stack);
                if (top == NULL)
                    goto error;
                Py_DECREF(top);
                if (t.target != NULL && tcode != T_UNMODELLED) {
                    PyObject *text = join(t.tparts, 0);
                    if (text == NULL)
                        goto error;
                    int r = PyObject_SetAttr(t.target, s_text, text);
                    Py_DECREF(text);
                    if (r < 0)
                        goto error;
                }
                PyObject *outer = list_pop(targets);
                if (outer == NULL)
                    goto error;
                int r = target_set(&t, outer);
                Py_DECREF(outer);
                if (r < 0)
                    goto error;
            } else if (tcode == T_LIST) {
                PyObject *top = list_pop(lists);
                if (top == NULL)
                    goto error;
                Py_DECREF(top);
            } else if (tcode == T_TABLECELL) {
                if (t.tparts != NULL) {
                    PyObject *text = join(t.tparts, cell_start);
                    PyObject *stripped = text ? PyObject_CallMethodNoArgs(text, s_strip) : NULL;
                    int r = stripped ? append_attr(t.target, s_cells, stripped) : -1;
                    Py_XDECREF(stripped);
                    Py_XDECREF(text);
                    if (r < 0)
                        goto error;
                }
            } else if (tcode == T_IMAGE) {
                PyObject *open = list_pop(in_image);
                if (open == NULL)
                    goto error;
                PyObject *alt = join(PyTuple_GET_ITEM(open, 1), 0);
                int r = alt ? PyObject_SetAttr(PyTuple_GET_ITEM(open, 0), s_alt, alt) : -1;
                Py_XDECREF(alt);
                Py_DECREF(open);
                if (r < 0)
                    goto error;
            }
        } else if (ecode == E_CODE) {
            if (add_range(code_ranges, rng) < 0)
                goto error;
            /* Code spans are not prose: one space keeps the words around them apart. */
            if (t.tparts != NULL && add_piece(&t, s_space, rng) < 0)
                goto error;
        } else if (ecode == E_HTML || ecode == E_INLINE_HTML) {
            if (value != Py_None) {
                PyObject *bstart = PyDict_GetItemWithError(rng, s_start);
                if (bstart == NULL) {
                    if (!PyErr_Occurred())
                        PyErr_SetString(PyExc_KeyError, "range without start");
                    goto error;
                }
                PyObject *offset = PyObject_CallOneArg(conv, bstart);
                if (offset == NULL)
                    goto error;
                PyObject *block = Py_None;
                Py_ssize_t depth = PyList_GET_SIZE(stack);
                if (depth > 0 && PyLong_AsLong(PyList_GET_ITEM(stack, depth - 1)) >= 0)
                    block = PyList_GET_ITEM(stack, depth - 1);
                PyObject *a[3] = {value, offset, block};
                PyObject *h = PyObject_Vectorcall(Html, a, 3, NULL);
                Py_DECREF(offset);
                if (h == NULL)
                    goto error;
                int r = PyList_Append(html, h);
                Py_DECREF(h);
                if (r < 0)
                    goto error;
                if (t.tparts != NULL && ecode == E_INLINE_HTML) {
                    PyObject *stripped = PyObject_CallMethodNoArgs(value, s_strip);
                    PyObject *m = stripped ? PyObject_CallOneArg(br_match, stripped) : NULL;
                    Py_XDECREF(stripped);
                    if (m == NULL)
                        goto error;
                    r = m != Py_None ? add_piece(&t, s_newline, rng) : 0;
                    Py_DECREF(m);
                    if (r < 0)
                        goto error;
                }
            }
        }
        Py_CLEAR(pair);
    }
    if (PyErr_Occurred())
        goto error;
    goto done;
error:
    failed = 1;
done:
    Py_XDECREF(pair);
    target_clear(&t);
    Py_XDECREF(stack);
    Py_XDECREF(targets);
    Py_XDECREF(lists);
    Py_XDECREF(in_image);
    Py_XDECREF(minus_one);
    Py_DECREF(it);
    if (failed)
        return NULL;
    Py_RETURN_NONE;
}

static int
all_space(PyObject *text)
{
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    for (Py_ssize_t i = 0, n = PyUnicode_GET_LENGTH(text); i < n; i++) {
        if (!Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, i)))
            return 0;
    }
    return 1;
}

/* A loose item takes its first paragraph's text: 0, or -1 with an exception set. */
static int
share_paragraph(PyObject *blocks, PyObject *item, Py_ssize_t n)
{
    int result = -1;
    PyObject *index = PyObject_GetAttr(item, s_index), *text = NULL, *child = NULL, *parent = NULL, *ckind = NULL;
    if (index == NULL)
        goto done;
    Py_ssize_t k = PyLong_AsSsize_t(index);
    if (k == -1 && PyErr_Occurred())
        goto done;
    if ((text = PyObject_GetAttr(item, s_text)) == NULL)
        goto done;
    if (!PyUnicode_Check(text)) {
        PyErr_SetString(PyExc_TypeError, "a block's text must be a string");
        goto done;
    }
    result = 0;
    if (k < 0 || k + 1 >= n || !all_space(text))
        goto done;
    child = PyList_GET_ITEM(blocks, k + 1);
    Py_INCREF(child);
    result = -1;
    if ((parent = PyObject_GetAttr(child, s_parent)) == NULL || (ckind = PyObject_GetAttr(child, s_kind)) == NULL)
        goto done;
    int same = PyObject_RichCompareBool(parent, index, Py_EQ);
    if (same < 0)
        goto done;
    result = 0;
    if (!same || !PyUnicode_Check(ckind) || PyUnicode_Compare(ckind, s_paragraph) != 0)
        goto done;
    result = -1;
    PyObject *attrs[] = {s_text, s_parts, s_ranges};
    for (int a = 0; a < 3; a++) {
        PyObject *v = PyObject_GetAttr(child, attrs[a]);
        int r = v ? PyObject_SetAttr(item, attrs[a], v) : -1;
        Py_XDECREF(v);
        if (r < 0)
            goto done;
    }
    PyObject *own = PyObject_GetAttr(item, s_images);
    int has = own ? PyObject_IsTrue(own) : -1;
    Py_XDECREF(own);
    if (has < 0)
        goto done;
    if (!has) {
        PyObject *v = PyObject_GetAttr(child, s_images);
        int r = v ? PyObject_SetAttr(item, s_images, v) : -1;
        Py_XDECREF(v);
        if (r < 0)
            goto done;
    }
    result = 0;
done:
    Py_XDECREF(index);
    Py_XDECREF(text);
    Py_XDECREF(child);
    Py_XDECREF(parent);
    Py_XDECREF(ckind);
    return result;
}

/* finish_blocks(blocks) -> code blocks: an item whose text is blank and whose first child, right after
 * it, is a paragraph (a loose list) takes that paragraph's text, pieces and images; the code blocks are
 * returned for their text to be cut from the document (document._finish_blocks_py). */
static PyObject *
finish_blocks(PyObject *self, PyObject *blocks)
{
    if (!PyList_Check(blocks)) {
        PyErr_SetString(PyExc_TypeError, "finish_blocks(blocks: list)");
        return NULL;
    }
    PyObject *code = PyList_New(0);
    if (code == NULL)
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(blocks);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *b = PyList_GET_ITEM(blocks, i);
        PyObject *kind = PyObject_GetAttr(b, s_kind);
        if (kind == NULL)
            goto fail;
        if (!PyUnicode_Check(kind)) {
            PyErr_SetString(PyExc_TypeError, "a block's kind must be a string");
            Py_DECREF(kind);
            goto fail;
        }
        int r = 0;
        if (PyUnicode_Compare(kind, s_item) == 0)
            r = share_paragraph(blocks, b, n);
        else if (PyUnicode_Compare(kind, s_code) == 0)
            r = PyList_Append(code, b);
        Py_DECREF(kind);
        if (r < 0)
            goto fail;
    }
    return code;
fail:
    Py_DECREF(code);
    return NULL;
}

/* of_kind(blocks, kind) -> the blocks whose kind is `kind` (document.Document.headings). */
static PyObject *
of_kind(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2 || !PyList_Check(args[0]) || !PyUnicode_Check(args[1])) {
        PyErr_SetString(PyExc_TypeError, "of_kind(blocks: list, kind: str)");
        return NULL;
    }
    PyObject *blocks = args[0], *want = args[1];
    PyObject *out = PyList_New(0);
    if (out == NULL)
        return NULL;
    if (PyList_GET_SIZE(blocks) > 0 && native_layout((PyObject *)Py_TYPE(PyList_GET_ITEM(blocks, 0))) < 0)
        goto fail;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(blocks); i++) {
        PyObject *b = PyList_GET_ITEM(blocks, i);
        PyObject *kind = Py_TYPE(b) == native_type ? Py_XNewRef(SLOT(b, B_KIND)) : NULL;
        if (kind == NULL && (kind = PyObject_GetAttr(b, s_kind)) == NULL)
            goto fail;
        int same = kind == want ? 1 : PyObject_RichCompareBool(kind, want, Py_EQ);
        Py_DECREF(kind);
        if (same < 0 || (same && PyList_Append(out, b) < 0))
            goto fail;
    }
    return out;
fail:
    Py_DECREF(out);
    return NULL;
}

/* byte_offsets(body) -> (bytes_at, extra): per character beyond ASCII, the UTF-8 byte offset just
 * after it and the bytes beyond one that it and those before it take (document._byte_offsets_py). */
static PyObject *
byte_offsets(PyObject *self, PyObject *body)
{
    if (!PyUnicode_Check(body)) {
        PyErr_SetString(PyExc_TypeError, "byte_offsets(body: str)");
        return NULL;
    }
    PyObject *bytes_at = PyList_New(0), *extras = PyList_New(0);
    if (bytes_at == NULL || extras == NULL)
        goto fail;
    Py_ssize_t n = PyUnicode_GET_LENGTH(body), extra = 0;
    if (PyUnicode_IS_ASCII(body))
        return Py_BuildValue("(NN)", bytes_at, extras);
    /* One loop per character width: the run of ASCII between two others is skipped at memory speed. */
#define OFFSETS(TYPE, MASK)                                                                        \
    do {                                                                                           \
        const TYPE *chars = (const TYPE *)PyUnicode_DATA(body);                                    \
        for (Py_ssize_t i = 0; i < n; i++) {                                                       \
            /* 8 bytes at a time: no character in them has a bit above the ASCII range set. */       \
            while (i + (Py_ssize_t)(8 / sizeof(TYPE)) <= n) {                                      \
                uint64_t word;                                                                     \
                memcpy(&word, chars + i, 8);                                                       \
                if (word & MASK)                                                                   \
                    break;                                                                         \
                i += 8 / sizeof(TYPE);                                                             \
            }                                                                                      \
            while (i < n && chars[i] < 0x80)                                                       \
                i++;                                                                               \
            if (i == n)                                                                            \
                break;                                                                             \
            Py_UCS4 c = chars[i];                                                                  \
            extra += c < 0x800 ? 1 : c < 0x10000 ? 2 : 3;                                          \
            PyObject *at = PyLong_FromSsize_t(i + 1 + extra), *ex = at ? PyLong_FromSsize_t(extra) : NULL; \
            int r = ex ? PyList_Append(bytes_at, at) | PyList_Append(extras, ex) : -1;             \
            Py_XDECREF(at);                                                                        \
            Py_XDECREF(ex);                                                                        \
            if (r < 0)                                                                             \
                goto fail;                                                                         \
        }                                                                                          \
    } while (0)
    switch (PyUnicode_KIND(body)) {
    case PyUnicode_1BYTE_KIND:
        OFFSETS(Py_UCS1, 0x8080808080808080ULL);
        break;
    case PyUnicode_2BYTE_KIND:
        OFFSETS(Py_UCS2, 0xFF80FF80FF80FF80ULL);
        break;
    default:
        OFFSETS(Py_UCS4, 0xFFFFFF80FFFFFF80ULL);
    }
#undef OFFSETS
    return Py_BuildValue("(NN)", bytes_at, extras);
fail:
    Py_XDECREF(bytes_at);
    Py_XDECREF(extras);
    return NULL;
}

static PyMethodDef methods[] = {
    {"scan", (PyCFunction)(void (*)(void))scan, METH_FASTCALL,
     "scan(events, conv, position, blocks, images, html, code_ranges, Block, Image, Html, br_match)\n"
     "Walk pyromark's (event, range) pairs into blocks, images, HTML and code spans."},
    {"finish_blocks", (PyCFunction)finish_blocks, METH_O,
     "finish_blocks(blocks) -> code blocks\n"
     "Loose items take their first paragraph's text; the code blocks are returned."},
    {"of_kind", (PyCFunction)(void (*)(void))of_kind, METH_FASTCALL,
     "of_kind(blocks, kind) -> list\n"
     "The blocks whose kind is kind, in order."},
    {"byte_offsets", (PyCFunction)byte_offsets, METH_O,
     "byte_offsets(body) -> (bytes_at, extra)\n"
     "Per non-ASCII character, the UTF-8 offset just after it and the extra bytes up to it."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "postlint._blocks", "pyromark's events -> Markdown blocks, in C.", -1, methods, NULL, NULL, NULL, NULL,
};

static int
codes(PyObject *table, const char *const *names, long code)
{
    for (; *names != NULL; names++) {
        PyObject *v = PyLong_FromLong(code);
        int r = v ? PyDict_SetItemString(table, *names, v) : -1;
        Py_XDECREF(v);
        if (r < 0)
            return -1;
    }
    return 0;
}

#define INTERN(var, text) if ((var = PyUnicode_InternFromString(text)) == NULL) return NULL

PyMODINIT_FUNC
PyInit__blocks(void)
{
    static const char *const tags[] = {"Paragraph", "BlockQuote", "CodeBlock", "HtmlBlock", "TableHead", "TableRow",
                                       "Heading", "Item", "List", "TableCell", "Image", "Link", NULL};
    static const char *const kind_names[] = {"paragraph", "blockquote", "code", "html", "table_head", "table_row"};
    static const char *const inline_[] = {"Emphasis", "Strong", "Strikethrough", "Superscript", "Subscript", "Table", NULL};
    static const char *const unmodelled[] = {"FootnoteDefinition", "DefinitionList", "DefinitionListTitle",
                                             "DefinitionListDefinition", "MetadataBlock", NULL};
    static const char *const event_names[] = {"Text", "Start", "End", "Code", "Html", "InlineHtml", NULL};
    event_codes = PyDict_New();
    tag_codes = PyDict_New();
    if (event_codes == NULL || tag_codes == NULL)
        return NULL;
    for (long i = 0; event_names[i] != NULL; i++) {
        const char *one_name[] = {event_names[i], NULL};
        if (codes(event_codes, one_name, E_TEXT + i) < 0)
            return NULL;
    }
    for (long i = 0; tags[i] != NULL; i++) {
        const char *one_name[] = {tags[i], NULL};
        if (codes(tag_codes, one_name, T_PARAGRAPH + i) < 0)
            return NULL;
    }
    if (codes(tag_codes, inline_, T_INLINE) < 0 || codes(tag_codes, unmodelled, T_UNMODELLED) < 0)
        return NULL;
    for (int i = 0; i < 6; i++)
        INTERN(kinds[T_PARAGRAPH + i], kind_names[i]);
    if ((zero = PyLong_FromLong(0)) == NULL || (one = PyLong_FromLong(1)) == NULL || (empty_tuple = PyTuple_New(0)) == NULL)
        return NULL;
    INTERN(s_tag_link, "Link");
    INTERN(s_tag_item, "Item");
    INTERN(s_tag_paragraph, "Paragraph");
    INTERN(s_tag_strong, "Strong");
    INTERN(s_ev_text, "Text");
    INTERN(s_ev_start, "Start");
    INTERN(s_ev_end, "End");
    INTERN(s_break, "Break");
    INTERN(s_start, "start");
    INTERN(s_end, "end");
    INTERN(s_heading, "heading");
    INTERN(s_item, "item");
    INTERN(s_empty, "");
    INTERN(s_newline, "\n");
    INTERN(s_space, " ");
    INTERN(s_bar, " | ");
    INTERN(s_parts, "_parts");
    INTERN(s_ranges, "_ranges");
    INTERN(s_index, "index");
    INTERN(s_links, "links");
    INTERN(s_text, "text");
    INTERN(s_cells, "cells");
    INTERN(s_images, "images");
    INTERN(s_block, "block");
    INTERN(s_alt, "alt");
    INTERN(s_fenced, "Fenced");
    INTERN(s_level, "level");
    INTERN(s_link_type, "link_type");
    INTERN(s_dest_url, "dest_url");
    INTERN(s_title, "title");
    INTERN(s_inline, "Inline");
    INTERN(s_markdown, "markdown");
    INTERN(s_reference, "reference");
    INTERN(s_strip, "strip");
    INTERN(s_kind, "kind");
    INTERN(s_code, "code");
    INTERN(s_paragraph, "paragraph");
    INTERN(s_parent, "parent");
    INTERN(s_slots, "__slots__");
    return PyModule_Create(&module);
}
