/*
 * link.h - link-layer decoders and encoders, selected by pcap DLT / LINKTYPE number.
 *
 *   Ethernet II / IEEE 802.3 (+ IEEE 802.2 LLC, RFC 1042 SNAP)      DLT 1    ether.c
 *   IEEE 802.1Q C-tag 0x8100, 802.1ad S-tag 0x88a8 (and old 0x9100)          ether.c
 *   Linux cooked capture SLL (16 bytes) and SLL2 (20 bytes)      DLT 113, 276 sll.c
 *   IEEE 802.11 data frames + LLC/SNAP                           DLT 105  ieee80211.c
 *   Radiotap header + 802.11                                     DLT 127  ieee80211.c
 *   BSD null/loopback (host-order AF), OpenBSD loop (network order) DLT 0, 108   link.c
 *   Raw IP (version from the first nibble)                 DLT 12, 14, 101, 228, 229
 *
 * Each decoder consumes its header from the cursor, fills a host-order struct and
 * returns the rest as a payload cursor plus an ethertype-like next protocol
 * (0x0800 IPv4, 0x86dd IPv6, 0x8100 VLAN ...).  No decoder calls another layer's
 * decoder; the one exception is the IEEE 802.2 LLC/SNAP header, which is part of
 * the 802.3/802.11 link layer itself.
 *
 * VLAN tags: vlan_decode() decodes ONE tag.  link_decode() loops over a stack of up
 * to LINK_MAX_VLANS tags after any link header, recording them in link_info; a
 * deeper stack stops there (anomaly link.too_many_vlan_tags) with next_proto left at
 * the tag's TPID and the payload at that tag, so a caller may continue with
 * vlan_decode() or drop the frame.
 *
 * "Skip" is not an error: an 802.11 management/control frame, a null-function
 * frame, a protected (encrypted) frame or a non-IP LLC frame decodes as DEC_OK
 * with next_proto 0 and link_info.skip saying why.
 */
#ifndef PPTP_LINK_H
#define PPTP_LINK_H

#include <stdbool.h>
#include <stdint.h>

#include "anomaly.h"
#include "cursor.h"

/* pcap LINKTYPE / DLT numbers handled here. */
enum link_dlt {
    LINK_DLT_NULL = 0,
    LINK_DLT_EN10MB = 1,
    LINK_DLT_RAW = 12,       /* DLT_RAW on most systems */
    LINK_DLT_RAW_OPENBSD = 14,
    LINK_DLT_RAW_LINKTYPE = 101, /* LINKTYPE_RAW in files */
    LINK_DLT_IEEE802_11 = 105,
    LINK_DLT_LOOP = 108,
    LINK_DLT_LINUX_SLL = 113,
    LINK_DLT_IEEE802_11_RADIO = 127,
    LINK_DLT_IPV4 = 228,
    LINK_DLT_IPV6 = 229,
    LINK_DLT_LINUX_SLL2 = 276,
};

/* Ethertypes (ETH_TYPE_ to stay clear of <net/ethernet.h>). */
enum eth_type {
    ETH_TYPE_NONE = 0,       /* nothing routable */
    ETH_TYPE_MIN = 0x0600,   /* smaller values are IEEE 802.3 lengths */
    ETH_TYPE_IPV4 = 0x0800,
    ETH_TYPE_ARP = 0x0806,
    ETH_TYPE_VLAN = 0x8100,
    ETH_TYPE_IPV6 = 0x86dd,
    ETH_TYPE_PPP = 0x880b,
    ETH_TYPE_MPLS = 0x8847,
    ETH_TYPE_PPPOE_DISC = 0x8863,
    ETH_TYPE_PPPOE_SESS = 0x8864,
    ETH_TYPE_EAPOL = 0x888e,
    ETH_TYPE_QINQ = 0x88a8,
    ETH_TYPE_LLDP = 0x88cc,
    ETH_TYPE_QINQ_9100 = 0x9100,
};

#define ETH_MAC_LEN 6
#define LINK_MAX_VLANS 4

/* Why a frame that decoded fine has nothing to route (next_proto 0). */
typedef enum link_skip {
    LINK_SKIP_NONE = 0,
    LINK_SKIP_NOT_DATA,    /* 802.11 management / control / extension frame */
    LINK_SKIP_NO_BODY,     /* 802.11 data subtype without a body (null function) */
    LINK_SKIP_PROTECTED,   /* 802.11 Protected Frame bit: encrypted body */
    LINK_SKIP_OTHER_PROTO, /* LLC without SNAP, unknown AF family, non-ethertype SLL protocol */
    LINK_SKIP_UNSUPPORTED, /* 802.11 fragment or A-MSDU, radiotap FCS failure */
} link_skip;

/* IEEE 802.2 LLC header, with the SNAP extension (RFC 1042) when DSAP=SSAP=0xAA, UI. */
struct llc_hdr {
    uint8_t dsap, ssap;
    uint16_t control; /* 1 byte (U format) or 2 bytes (I/S format, first byte high) */
    bool snap;
    uint32_t oui;     /* SNAP OUI (24 bits) */
    uint16_t pid;     /* SNAP protocol id */
    uint16_t next_proto; /* pid when the OUI is 00-00-00 or 00-00-F8, else 0 */
};

/* Ethernet II / 802.3 header. */
struct ether_hdr {
    uint8_t dst[ETH_MAC_LEN], src[ETH_MAC_LEN];
    uint16_t type;       /* as on the wire: ethertype, or 802.3 length when < 0x0600 */
    bool has_llc;        /* type was a length: an LLC header followed */
    struct llc_hdr llc;  /* meaningful only when has_llc */
    uint16_t next_proto; /* ethertype of the payload (0 when none) */
};

/* One 802.1Q / 802.1ad tag (the TPID is the type field of the header before it). */
struct vlan_tag {
    uint16_t tpid;       /* 0x8100, 0x88a8 or 0x9100 */
    uint8_t pcp;         /* priority code point (3 bits) */
    uint8_t dei;         /* drop eligible (1 bit) */
    uint16_t vid;        /* VLAN id (12 bits) */
    uint16_t type;       /* inner type/length as on the wire */
    bool has_llc;
    struct llc_hdr llc;
    uint16_t next_proto;
};

/* Linux cooked capture header, SLL (version 1) or SLL2 (version 2). */
enum sll_pkttype {
    SLL_HOST = 0, SLL_BROADCAST = 1, SLL_MULTICAST = 2, SLL_OTHERHOST = 3, SLL_OUTGOING = 4,
};
struct sll_hdr {
    uint8_t version;     /* 1: DLT 113, 2: DLT 276 */
    uint16_t pkttype;    /* enum sll_pkttype (8 bits in SLL2) */
    uint16_t hatype;     /* ARPHRD_ type */
    uint16_t halen;      /* link address length as sent (may exceed 8) */
    uint8_t addr[8];     /* first 8 bytes of the address field */
    uint16_t protocol;   /* ethertype, or a Linux ETH_P_ value < 0x0600 */
    uint16_t reserved;   /* SLL2 only */
    uint32_t ifindex;    /* SLL2 only */
    bool has_llc;        /* protocol 4 (ETH_P_802_2): LLC followed */
    struct llc_hdr llc;
    uint16_t next_proto;
};

/* 802.11 MAC header (data frames decoded in full; others only frame control). */
enum wlan_type { WLAN_TYPE_MGMT = 0, WLAN_TYPE_CTRL = 1, WLAN_TYPE_DATA = 2, WLAN_TYPE_EXT = 3 };
enum wlan_flag {
    WLAN_FLAG_TODS = 0x01, WLAN_FLAG_FROMDS = 0x02, WLAN_FLAG_MOREFRAG = 0x04,
    WLAN_FLAG_RETRY = 0x08, WLAN_FLAG_PWRMGT = 0x10, WLAN_FLAG_MOREDATA = 0x20,
    WLAN_FLAG_PROTECTED = 0x40, WLAN_FLAG_ORDER = 0x80,
};
struct wlan_hdr {
    uint8_t version;     /* protocol version (must be 0) */
    uint8_t type;        /* enum wlan_type */
    uint8_t subtype;     /* 0..15; data: bit 3 = QoS, bit 2 = no body */
    uint8_t flags;       /* enum wlan_flag */
    uint16_t duration;
    uint8_t addr1[ETH_MAC_LEN], addr2[ETH_MAC_LEN], addr3[ETH_MAC_LEN], addr4[ETH_MAC_LEN];
    bool has_addr4;      /* ToDS and FromDS both set */
    uint16_t seq;        /* sequence number (12 bits) */
    uint8_t frag;        /* fragment number (4 bits) */
    bool has_qos;        /* QoS data subtype: QoS control present */
    uint16_t qos;        /* QoS control (host order) */
    uint8_t tid;         /* qos & 0x0f */
    bool has_htc;        /* QoS + Order bit: 4-byte HT control present */
    uint32_t htc;
    bool has_llc;
    struct llc_hdr llc;
    link_skip skip;
    uint16_t next_proto;
};

/* The parts of a radiotap header (radiotap.org) the decoder uses. */
enum { RADIOTAP_F_FCS = 0x10, RADIOTAP_F_BADFCS = 0x40 };
struct radiotap_hdr {
    uint8_t version;     /* 0 */
    uint16_t len;        /* whole radiotap header length (little endian on the wire) */
    uint32_t present;    /* first present-flags word */
    bool has_flags;
    uint8_t flags;       /* Flags field: RADIOTAP_F_FCS = frame ends in a 4-byte FCS */
};

/* BSD null (host byte order) / OpenBSD loop (network byte order) header. */
struct null_hdr {
    uint32_t family;     /* AF_ value as the sending host numbers it */
    bool big_endian;     /* the 4 bytes were big endian */
};

/* Everything link_decode() learnt about a frame; which member is valid follows
 * from dlt (eth: 1; sll: 113/276; radiotap: 127; wlan: 105/127; null: 0/108). */
struct link_info {
    int dlt;
    uint16_t next_proto;  /* ethertype-like: 0x0800, 0x86dd, ... ; 0 = nothing to route */
    link_skip skip;       /* why next_proto is 0 on DEC_OK */
    uint8_t n_vlans;
    struct vlan_tag vlans[LINK_MAX_VLANS]; /* outermost first */
    struct ether_hdr eth;
    struct sll_hdr sll;
    struct radiotap_hdr radiotap;
    struct wlan_hdr wlan;
    struct null_hdr null;
};

/* ---- unified entry ----------------------------------------------------------- */

/* True for every DLT link_decode() understands. */
bool link_dlt_supported(int dlt);
/* Name of a DLT ("EN10MB", "LINUX_SLL", ...); "unknown" for unlisted values.
 * Covers common unsupported ones too, for the "unsupported link type" error. */
const char *link_dlt_name(int dlt);
/* Name of an ethertype ("IPv4", "802.1Q", ...); "unknown" when unlisted. */
const char *link_ethertype_name(uint16_t type);
/* "none", "not_data", "no_body", "protected", "other_proto", "unsupported". */
const char *link_skip_name(link_skip s);
/* Name of an SLL packet type ("host", "outgoing"...); "unknown" when unlisted. */
const char *sll_pkttype_name(uint16_t t);
/* "mgmt", "ctrl", "data", "ext" for an 802.11 frame type (0..3); "unknown" else. */
const char *wlan_type_name(uint8_t type);

/* Decode the link header(s) of one captured frame of link type dlt, followed by up
 * to LINK_MAX_VLANS VLAN tags.  c: the frame (normally open ended); consumed.
 * li: filled (zeroed first).  payload: set to the bytes after the link header(s)
 * (points into c's data; the caller keeps the frame alive).  an: may be NULL.
 * Returns DEC_OK (check li->next_proto / li->skip), DEC_TRUNCATED when the frame
 * ends inside a header, DEC_MALFORMED when a header is impossible.  An
 * unsupported dlt gives DEC_MALFORMED and anomaly link.unsupported_dlt (check
 * link_dlt_supported() once when opening the capture instead). */
dec_status link_decode(int dlt, cursor *c, struct link_info *li, cursor *payload, anomaly_set *an);

/* Append the link header(s) of li for dlt: the per-DLT header, li->n_vlans tags, and
 * for 802.11 the LLC/SNAP header, ending in li->next_proto.  Used by tests and the
 * test peer.  For 802.11 / radiotap no FCS is written (RADIOTAP_F_FCS must be clear).
 * Returns false on overflow or an unsupported dlt / impossible li. */
bool link_encode(int dlt, wbuf *w, const struct link_info *li);

/* ---- per-layer decoders (all: c consumed, *h zeroed then filled, payload points
 *      into c's data; an may be NULL; DEC_OK / DEC_TRUNCATED / DEC_MALFORMED) ---- */

/* IEEE 802.2 LLC + SNAP.  DEC_MALFORMED is never returned for an exact c unless it
 * ends inside the header (then the length that carved c lied). */
dec_status llc_decode(cursor *c, struct llc_hdr *h, cursor *payload);
/* Append AA-AA-03-00-00-00-<ethertype> (RFC 1042). */
bool llc_snap_encode(wbuf *w, uint16_t ethertype);

/* Ethernet II or 802.3 (length < 0x0600 then LLC; bytes after the length are padding;
 * 1501..1535 is DEC_MALFORMED). */
dec_status ether_decode(cursor *c, struct ether_hdr *h, cursor *payload, anomaly_set *an);
/* Append dst, src, type (h->type). */
bool ether_encode(wbuf *w, const struct ether_hdr *h);

/* True for 0x8100, 0x88a8, 0x9100. */
bool vlan_tpid(uint16_t type);
/* One VLAN tag (TCI + inner type); tpid is the type that announced it. */
dec_status vlan_decode(cursor *c, uint16_t tpid, struct vlan_tag *t, cursor *payload, anomaly_set *an);
/* Append TCI + t->type (4 bytes; the TPID belongs to the previous header). */
bool vlan_encode(wbuf *w, const struct vlan_tag *t);

/* Linux cooked SLL (16 bytes) / SLL2 (20 bytes). */
dec_status sll_decode(cursor *c, struct sll_hdr *h, cursor *payload, anomaly_set *an);
dec_status sll2_decode(cursor *c, struct sll_hdr *h, cursor *payload, anomaly_set *an);
/* Append the SLL / SLL2 header from h (protocol from h->protocol). */
bool sll_encode(wbuf *w, const struct sll_hdr *h);
bool sll2_encode(wbuf *w, const struct sll_hdr *h);

/* 802.11 MAC header.  Non-data frames: DEC_OK, skip NOT_DATA, only frame control
 * read (a 10-byte ACK is fine).  Data frames: full header, then LLC/SNAP; a
 * protected frame gives skip PROTECTED and anomaly link.wlan_protected.
 * Protocol version != 0 is DEC_MALFORMED.  No FCS is expected at the end. */
dec_status wlan_decode(cursor *c, struct wlan_hdr *h, cursor *payload, anomaly_set *an);
/* Append the MAC header of h (version 0; seq/frag, addr4, QoS, HT control as the
 * type/subtype/flags call for) and, for a data frame with a body, LLC/SNAP with
 * h->next_proto. */
bool wlan_encode(wbuf *w, const struct wlan_hdr *h);

/* Radiotap header: payload is the 802.11 frame, without the trailing FCS when the
 * Flags field says one is present (the payload then stays open ended). A header
 * length < 8 or a version != 0 is DEC_MALFORMED. */
dec_status radiotap_decode(cursor *c, struct radiotap_hdr *h, cursor *payload, anomaly_set *an);
/* Append an 8-byte header, or 9 bytes with the Flags field when h->has_flags. */
bool radiotap_encode(wbuf *w, const struct radiotap_hdr *h);

/* BSD null (either byte order accepted: a little-endian read whose upper 16 bits
 * are not zero is taken as big endian) and OpenBSD loop (network order). */
dec_status null_decode(cursor *c, bool loop, struct null_hdr *h, cursor *payload);
/* Ethertype for an AF family value: 2 -> IPv4; 24, 28, 30 -> IPv6; else 0. */
uint16_t null_family_ethertype(uint32_t family);
bool null_encode(wbuf *w, bool loop, const struct null_hdr *h);

#endif
