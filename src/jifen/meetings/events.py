"""Audit actions of this area. The string is stored; never rename one."""

MEETING_CREATE = "meeting.create"
MEETING_ATTENDANCE = "meeting.attendance"
MEETING_POST = "meeting.post_entries"
ATTESTATION_REQUEST = "attestation.request"
ATTESTATION_ANSWER = "attestation.answer"
ATTESTATION_IN_PERSON = "attestation.in_person"
