from mediation.views.mediations import _not_yet

my_week = tribunal_week = feed_link = mediator_feed = session_action = _not_yet
