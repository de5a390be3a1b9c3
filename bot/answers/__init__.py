"""Answers built only from the programme data (never invented), by topic.

Modules: :mod:`~bot.answers.i18n` (``t()``), :mod:`~bot.answers.common` (labels, errors,
shortening), :mod:`~bot.answers.groups` (leads, members, goals, overview),
:mod:`~bot.answers.queries` (filters and counts across AGs), :mod:`~bot.answers.dates`
(milestones, sessions, exchange rounds, deadline), :mod:`~bot.answers.programme` (the workshop
as a whole) and :mod:`~bot.answers.table` (intent -> answer function). The names below are
re-exported for the commands.
"""
from bot.answers.common import (ag_labels, group_not_found, lead_label, member_label, organisation_label, shorten,
                                which_group)
from bot.answers.dates import (answer_cadence, answer_first_sessions, answer_milestones, answer_milestones_reached,
                               answer_next_exchange,
                               answer_next_milestone, answer_next_session, answer_registration_deadline,
                               answer_session_on, milestone_item, milestone_summary, session_lines)
from bot.answers.groups import (answer_all_leads, answer_conditions, answer_goals, answer_lead, answer_list_groups,
                                answer_members, answer_membership, answer_organisation_groups, answer_overview,
                                answer_subgroups)
from bot.answers.i18n import t
from bot.answers.programme import answer_decisions

__all__ = [name for name in dir() if name.startswith(("answer_", "ag_", "group_", "lead_", "member_", "organisation_",
                                                       "session_", "milestone_"))] + ["shorten", "which_group", "t"]
